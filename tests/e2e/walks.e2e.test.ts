// The hardest moments walked through on a 390×844 phone, in English and in Bahasa Indonesia side by side
// (one nurse each, same server): the lockout from the failure that starts it through a reload; a
// one-minute grant running out while the record is half written, and the record offered back after the
// next validation; the one-time reveal that stays until "I have noted them"; the idle lock of a shared
// phone, which asks for the password and returns her to the record. Real time throughout (the grant and
// idle lock are one minute long here), with axe and the overflow check at each new state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { translator, type Lang, type T } from '../../pwa/src/lib/i18n';
import {
  ADMIN,
  ApiClient,
  PHONE_390,
  buildPwa,
  expectAccessible,
  hasChromium,
  launch,
  navTo,
  poll,
  startServer,
  type Server,
  SETUP_TIMEOUT_MS,
} from './harness';

const LANGS = ['en', 'id'] as const;
const ESCALATION = 'Call the charge nurse on 1234.';
const LONG = 300_000;
/** A one-minute grant or idle lock, on a loaded machine: room to spare, still bounded. */
const MINUTE_AND_MORE = { timeout: 150_000 };

interface Phone {
  lang: Lang;
  t: T;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

describe.skipIf(!hasChromium)('walks through the hardest moments, en and id', () => {
  let server: Server;
  let admin: ApiClient;
  const phones: Phone[] = [];

  beforeAll(async () => {
    buildPwa();
    server = await startServer({ GRANT_MINUTES: '1', LOCKOUT_ATTEMPTS: '5', LOCKOUT_MINUTES: '15' });
    admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    await admin.call('PATCH', '/settings', { escalationText: ESCALATION, idleLockMinutes: 30 });
    for (const lang of LANGS) {
      const { context, close } = await launch(PHONE_390, { locale: lang === 'en' ? 'en-GB' : 'id-ID' });
      phones.push({ lang, t: translator(lang), context, page: await context.newPage(), close });
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const p of phones) await p.close();
    await server?.stop();
  });

  /** The same walk on both phones at once (their waits overlap). */
  const both = (walk: (p: Phone) => Promise<void>) => Promise.all(phones.map(walk));

  const user = async (p: Phone, role: string, tokens: number) => {
    const username = `${role}-${p.lang}`;
    const password = `${username}-password-1`;
    const id = await admin.createUser(username, `${role === 'idle' ? 'Dewi' : 'Siti'} ${p.lang.toUpperCase()}`, password);
    return { id, username, password, tokens: tokens ? await admin.generate(id, tokens) : [] };
  };
  const signIn = async ({ page, t }: Phone, username: string, password: string) => {
    await page.context().clearCookies();
    await page.goto(`${server.url}/login`);
    await page.getByLabel(t('login.username')).fill(username);
    await page.getByLabel(t('login.password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: t('login.submit') }).click();
    await page.getByRole('heading', { name: t('validate.title') }).waitFor();
  };
  const validate = async ({ page, t }: Phone, token: string) => {
    await page.getByLabel(t('validate.token'), { exact: true }).fill(token);
    await page.getByLabel(t('validate.reason'), { exact: true }).fill('cardiac arrest bed 4');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/tokens/validate')),
      page.getByRole('button', { name: t('validate.submit'), exact: true }).click(),
    ]);
    return res.status();
  };

  it(
    'lockout: the 5th wrong token locks at once; the form is disabled, the ward’s words shown, said once; a reload keeps it',
    async () => {
      await both(async (p) => {
        const { page, t } = p;
        const nurse = await user(p, 'lock', 2);
        await signIn(p, nurse.username, nurse.password);
        const field = page.getByLabel(t('validate.token'), { exact: true });
        const submit = page.getByRole('button', { name: t('validate.submit'), exact: true });
        for (let left = 4; left >= 1; left--) {
          expect(await validate(p, '999999')).toBe(422);
          const error = page.getByTestId('validate-form').locator('.field-error[data-kind="invalid"]');
          await poll(() => error.textContent()).toContain(left === 1 ? t('validate.attemptLeft') : t('validate.attemptsLeft', { count: left }));
          // The digits stay, selected, marked invalid, with the message right under the field.
          expect(await field.inputValue()).toBe('999999');
          expect(await field.getAttribute('aria-invalid')).toBe('true');
          await poll(() => field.evaluate((el: HTMLInputElement) => document.activeElement === el && el.selectionStart === 0 && el.selectionEnd === 6)).toBe(
            true,
          );
          const gap = await page.evaluate(() => {
            const input = document.querySelector<HTMLElement>('input[name="token"]')!.getBoundingClientRect();
            const err = document.querySelector<HTMLElement>('.field-error[data-kind]')!.getBoundingClientRect();
            return err.top - input.bottom;
          });
          expect(gap).toBeGreaterThanOrEqual(0);
          expect(gap).toBeLessThan(24);
          expect(await submit.isDisabled()).toBe(false);
        }
        if (p.lang === 'en') await expectAccessible(page, `${p.lang}, lockout, 1 try left`);

        // The 5th: the server locks her with this very answer, and the screen says so now.
        expect(await validate(p, '999999')).toBe(422);
        await page.getByTestId('lock-panel').waitFor();
        expect(await submit.isDisabled()).toBe(true);
        expect(await field.isDisabled()).toBe(true);
        expect(await page.getByTestId('validate-form').locator('.field-error[data-kind]').count()).toBe(0);
        expect(await page.getByTestId('escalation').textContent()).toBe(ESCALATION);
        await poll(() => page.getByTestId('lock-when').textContent()).toMatch(new RegExp(`^${t('validate.lockedFor', { minutes: '1[45]', time: '.+' })}$`));
        // Said once, in the screen's live region; the ticking countdown is outside every live region.
        await poll(() => page.getByTestId('validate-announce').textContent()).toMatch(
          new RegExp(`^${t('validate.lockedAnnounce', { minutes: '1[45]', time: '.+' })}$`),
        );
        expect(await page.getByTestId('lock-when').evaluate((el) => el.closest('[aria-live],[role="status"],[role="alert"],[role="timer"]') === null)).toBe(
          true,
        );
        await expectAccessible(page, `${p.lang}, lockout, locked`);

        await page.reload();
        await page.getByTestId('lock-panel').waitFor();
        expect(await page.getByRole('button', { name: t('validate.submit'), exact: true }).isDisabled()).toBe(true);
        expect(await page.getByTestId('escalation').textContent()).toBe(ESCALATION);
        // After a reload the lock is shown, not announced again.
        expect(await page.getByTestId('validate-announce').textContent()).toBe('');
        await expectAccessible(page, `${p.lang}, lockout, after a reload`);
      });
    },
    LONG,
  );

  it(
    'a one-minute grant runs out mid-record: the form stays read-only with the text; the next validation offers it back, and it saves',
    async () => {
      await both(async (p) => {
        const { page, t } = p;
        const nurse = await user(p, 'grant', 2);
        await signIn(p, nurse.username, nurse.password);
        expect(await validate(p, nurse.tokens[0]!)).toBe(200);
        await page.getByTestId('grant').waitFor();
        // One minute is already "less than a minute": red, said once.
        await poll(() => page.getByTestId('grant-clock').getAttribute('data-phase')).toBe('red');
        await poll(() => page.getByTestId('grant-alert').textContent()).toBe(t('grant.redAnnounce'));

        await page.getByRole('link', { name: t('grant.writeRecord') }).click();
        const form = page.getByTestId('record-form');
        await form.waitFor();
        await page.getByLabel(t('record.patientName')).fill('Pak Agus');
        await page.getByLabel(t('record.complaint')).fill('Chest pain, short of breath');
        await form.getByRole('radio', { name: '2' }).check();
        await page
          .getByLabel(new RegExp(t('record.notes')))
          .first()
          .fill('ECG done, aspirin given');

        // The grant ends while she writes: the form stays, read-only, with her text and what to do.
        await page.getByTestId('record-ended').waitFor(MINUTE_AND_MORE);
        expect(await page.getByTestId('record-ended').textContent()).toContain(t('record.validateToSave'));
        expect(await page.getByLabel(t('record.patientName')).inputValue()).toBe('Pak Agus');
        expect(await page.getByLabel(t('record.complaint')).inputValue()).toBe('Chest pain, short of breath');
        expect(await page.getByLabel(t('record.patientName')).isEditable()).toBe(false);
        await expectAccessible(page, `${p.lang}, grant ended mid-record`);

        await page
          .getByTestId('record-ended')
          .getByRole('link', { name: t('record.validateToSave') })
          .click();
        await page.getByLabel(t('validate.token'), { exact: true }).waitFor();
        expect(await validate(p, nurse.tokens[1]!)).toBe(200);
        const offer = page.getByTestId('draft-offer');
        await offer.waitFor();
        await expectAccessible(page, `${p.lang}, draft offered back`);
        await offer.getByRole('link', { name: t('grant.continueDraft') }).click();
        await form.waitFor();
        expect(await page.getByLabel(t('record.patientName')).inputValue()).toBe('Pak Agus');
        expect(await page.getByLabel(t('record.complaint')).inputValue()).toBe('Chest pain, short of breath');
        expect(await form.getByRole('radio', { name: '2' }).isChecked()).toBe(true);
        await page.getByRole('button', { name: t('record.submit') }).click();
        await page.getByTestId('record-saved').waitFor();
      });
    },
    LONG,
  );

  it(
    'the reveal stays until "I have noted them" (with copy); leaving first asks, and staying keeps them',
    async () => {
      await both(async (p) => {
        const { page, t, context } = p;
        const nurse = await user(p, 'reveal', 3);
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
        await signIn(p, nurse.username, nurse.password);
        await navTo(page, '/tokens');
        await page.getByTestId('reveal').click();
        const list = page.getByTestId('revealed');
        await list.locator('code').first().waitFor();
        expect((await list.locator('code').allTextContents()).sort()).toEqual([...nurse.tokens].sort());

        await list.getByRole('button', { name: t('tokens.copy') }).click();
        await poll(() => page.getByTestId('reveal-msg').textContent()).toBe(t('tokens.copied'));
        expect((await page.evaluate(() => navigator.clipboard.readText())).split('\n').sort()).toEqual([...nurse.tokens].sort());

        // Leaving asks; Stay keeps her (and the tokens) here.
        await navTo(page, '/validate');
        const confirm = page.getByTestId('confirm');
        await confirm.waitFor();
        await expectAccessible(page, `${p.lang}, reveal, leaving asks`);
        await confirm.getByRole('button', { name: t('common.stay') }).click();
        expect(new URL(page.url()).pathname).toBe('/tokens');
        expect(await list.locator('code').count()).toBe(3);
        // The back button asks too.
        await page.goBack();
        await confirm.waitFor();
        await confirm.getByRole('button', { name: t('common.stay') }).click();
        expect(await list.locator('code').count()).toBe(3);
        // Leaving anyway: they are still here when she comes back, until she says she has noted them.
        await navTo(page, '/validate');
        await confirm.getByRole('button', { name: t('common.leave') }).click();
        await page.getByLabel(t('validate.token'), { exact: true }).waitFor();
        await navTo(page, '/tokens');
        await list.locator('code').first().waitFor();
        await page.getByTestId('noted').click();
        await list.waitFor({ state: 'detached' });
        // Nothing is offered again: they are shown once.
        await page.reload();
        await page.getByTestId('my-requests').waitFor({ state: 'attached' });
        expect(await page.getByTestId('reveal').count()).toBe(0);
      });
    },
    LONG,
  );

  it(
    'the idle lock hides everything after the ward’s minute, asks for the password, and returns her to the record',
    async () => {
      await admin.call('PATCH', '/settings', { idleLockMinutes: 1 });
      await both(async (p) => {
        const { page, t } = p;
        const nurse = await user(p, 'idle', 1);
        await signIn(p, nurse.username, nurse.password);
        expect(await validate(p, nurse.tokens[0]!)).toBe(200);
        await page.getByRole('link', { name: t('grant.writeRecord') }).click();
        await page.getByTestId('record-form').waitFor();
        await page.getByLabel(t('record.patientName')).fill('Ibu Rina');
        await page.getByLabel(t('record.complaint')).fill('Fainted in the corridor');

        const lock = page.getByTestId('idle-lock');
        await lock.waitFor(MINUTE_AND_MORE);
        // Nothing of hers is on screen, and the session has ended on the server.
        expect(await page.locator('body').textContent()).not.toContain('Ibu Rina');
        expect(await page.getByTestId('record-form').count()).toBe(0);
        expect((await page.request.get(`${server.url}/api/v1/me`)).status()).toBe(401);
        await expectAccessible(page, `${p.lang}, idle lock`);

        await lock.getByLabel(t('login.password'), { exact: true }).fill('not-my-password');
        await lock.getByRole('button', { name: t('idle.unlock') }).click();
        await poll(() => page.getByTestId('unlock-error').textContent()).toBe(t('idle.wrong'));
        await expectAccessible(page, `${p.lang}, idle lock, wrong password`);
        await lock.getByLabel(t('login.password'), { exact: true }).fill(nurse.password);
        await lock.getByRole('button', { name: t('idle.unlock') }).click();
        await page.getByRole('heading', { name: t('record.title') }).waitFor();
        await poll(() => page.getByLabel(t('record.patientName')).inputValue()).toBe('Ibu Rina');
        expect(await page.getByLabel(t('record.complaint')).inputValue()).toBe('Fainted in the corridor');
      });
    },
    LONG,
  );
});
