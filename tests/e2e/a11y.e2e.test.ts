// Every screen and state of the PWA, in English and in Bahasa Indonesia, on a 390×844 phone and at 200 %
// zoom (the same phone laid out in 195×422 CSS px): axe-core finds nothing (its default rules plus
// `target-size`), and nothing makes the page wider than the screen. The states are reached as a nurse
// and an admin reach them, on the real server; only answers no test run can produce (an expired token, a
// grant minutes from its end, a Slack dead letter) are stubbed at the network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { addMessages, translator, type Lang } from '../../pwa/src/lib/i18n';
import { adminEn, adminId } from '../../pwa/src/screens/admin/messages';
import {
  ADMIN,
  ApiClient,
  PHONE_390,
  ZOOM_200,
  axeViolations,
  buildPwa,
  expectAccessible,
  hasChromium,
  horizontalOverflow,
  launch,
  navTo,
  poll,
  settle,
  startServer,
  type Server,
  SETUP_TIMEOUT_MS,
} from './harness';

addMessages({ en: adminEn, id: adminId });

const ESCALATION = 'Call the charge nurse on 1234, or use the ward’s paper access log.';
const LONG = 240_000;

describe.skipIf(!hasChromium)('every screen and state: axe clean and no horizontal overflow, at 390 px and 200 % zoom', () => {
  let server: Server;
  let admin: ApiClient;
  /** Every state checked, per language: the report names them. */
  const checked: Record<Lang, string[]> = { en: [], id: [] };

  beforeAll(async () => {
    buildPwa();
    server = await startServer();
    admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    await admin.call('PATCH', '/settings', { escalationText: ESCALATION });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
    console.log(
      Object.entries(checked)
        .map(([l, s]) => `${l}: ${s.length} states: ${s.join(', ')}`)
        .join('\n'),
    );
  });

  it(
    'the checks can fail: axe sees a tiny unnamed button, the overflow check a too-wide element',
    async () => {
      const { context, close } = await launch(PHONE_390);
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/login`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
        expect(await horizontalOverflow(page)).toEqual([]);
        await page.evaluate(() => {
          const b = document.createElement('button');
          b.id = 'tiny';
          b.style.cssText = 'width:10px;height:10px;padding:0;border:0';
          const a = document.createElement('button');
          a.style.cssText = 'width:10px;height:10px;padding:0;border:0';
          a.textContent = 'x';
          document.querySelector('main')!.append(b, a);
          const wide = document.createElement('div');
          wide.id = 'wide';
          wide.style.cssText = 'width:500px;height:20px';
          document.querySelector('main')!.append(wide);
        });
        const found = await axeViolations(page);
        expect(found.some((v) => v.startsWith('button-name: #tiny'))).toBe(true);
        expect(found.some((v) => v.startsWith('target-size:'))).toBe(true);
        expect((await horizontalOverflow(page)).join('\n')).toMatch(/div#wide ends at 5\d\d px/);
      } finally {
        await close();
      }
    },
    LONG,
  );

  for (const lang of ['en', 'id'] as const) {
    describe(lang === 'en' ? 'in English' : 'in Bahasa Indonesia', () => {
      const t = translator(lang);
      let context: BrowserContext;
      let close: () => Promise<void>;
      let page: Page;
      let nurse: { id: string; username: string; password: string; tokens: string[] };
      let locked: { username: string; password: string };

      /** axe and overflow, at 390 px then at 200 % zoom; soft, so one run reports every state that fails. */
      const check = async (name: string, p: Page = page) => {
        await expectAccessible(p, `${lang}, ${name}`);
        checked[lang].push(name);
      };
      const heading = (text: string, p: Page = page) => p.getByRole('heading', { name: text, exact: true }).first();
      const signIn = async (username: string, password: string) => {
        await page.goto(`${server.url}/login`);
        await page.getByLabel(t('login.username')).fill(username);
        await page.getByLabel(t('login.password'), { exact: true }).fill(password);
        await page.getByRole('button', { name: t('login.submit') }).click();
        await page.getByRole('button', { name: t('nav.menu') }).waitFor();
      };
      const signOut = async () => {
        await page.getByRole('button', { name: t('nav.menu') }).click();
        await page.getByTestId('sign-out').click();
        const leave = page.getByTestId('confirm').getByRole('button', { name: t('nav.signOut') });
        if (await leave.isVisible()) await leave.click();
        await heading(t('login.title')).waitFor();
      };
      const validate = async (token: string) => {
        await page.getByLabel(t('validate.token'), { exact: true }).fill(token);
        await page.getByLabel(t('validate.reason'), { exact: true }).fill('cardiac arrest bed 4');
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/tokens/validate')),
          page.getByRole('button', { name: t('validate.submit'), exact: true }).click(),
        ]);
        return res.status();
      };
      const missKind = () => page.getByTestId('validate-form').locator('.field-error[data-kind]');
      /** GET /me answered with the real body, its grant moved to `secondsLeft` from its end. */
      const grantEndingIn = async (secondsLeft: number) => {
        await page.route('**/api/v1/me', async (route) => {
          const res = await route.fetch();
          const me = (await res.json()) as { grant: { createdAt: string; expiresAt: string } | null };
          if (me.grant)
            me.grant = {
              ...me.grant,
              createdAt: new Date(Date.now() - 30 * 60_000 + secondsLeft * 1000).toISOString(),
              expiresAt: new Date(Date.now() + secondsLeft * 1000).toISOString(),
            };
          await route.fulfill({ response: res, json: me });
        });
        await page.reload();
      };

      beforeAll(async () => {
        nurse = { id: '', username: `nurse-${lang}`, password: `nurse-${lang}-password-1`, tokens: [] };
        nurse.id = await admin.createUser(nurse.username, lang === 'en' ? 'Siti Rahma' : 'Sri Wahyuni', nurse.password);
        nurse.tokens = await admin.generate(nurse.id, 3);
        locked = { username: `locked-${lang}`, password: `locked-${lang}-password-1` };
        const lockedId = await admin.createUser(locked.username, 'Budi Santoso', locked.password);
        await admin.generate(lockedId, 1);
        // Locked out before she opens the app: the lock comes from GET /me.
        const budi = await ApiClient.signIn(server.url, locked.username, locked.password);
        for (let i = 0; i < 5; i++) await budi.call('POST', '/tokens/validate', { token: '999999', reason: 'cardiac arrest bed 4' }).catch(() => {});
        ({ context, close } = await launch(PHONE_390, { locale: lang === 'en' ? 'en-GB' : 'id-ID' }));
        page = await context.newPage();
      });

      afterAll(async () => {
        await close?.();
      });

      it(
        'signed out: sign-in, a wrong password',
        async () => {
          await page.goto(`${server.url}/`);
          await heading(t('login.title')).waitFor();
          expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
          await check('sign-in');
          await page.getByLabel(t('login.username')).fill(nurse.username);
          await page.getByLabel(t('login.password'), { exact: true }).fill('wrong-password');
          await page.getByRole('button', { name: t('login.submit') }).click();
          await poll(() => page.getByTestId('login-error').textContent()).toContain(t('login.invalid'));
          await check('sign-in, wrong password');
        },
        LONG,
      );

      it(
        'validate: ready (low stock), the menu, wrong, used, expired',
        async () => {
          await signIn(nurse.username, nurse.password);
          await heading(t('validate.title')).waitFor();
          await page.getByTestId('stock').locator('.stock-warn').waitFor();
          await check('validate, ready, low stock');
          // 200 % zoom: the six digits fit their field, and the header leaves the screen to the form.
          await page.setViewportSize(ZOOM_200);
          await page.getByLabel(t('validate.token'), { exact: true }).fill('888888');
          await settle(page);
          const fit = await page
            .getByLabel(t('validate.token'), { exact: true })
            .evaluate((el: HTMLInputElement) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
          expect(fit.scroll).toBeLessThanOrEqual(fit.client);
          const header = await page.locator('header.topbar').evaluate((el) => el.getBoundingClientRect().height);
          expect(header).toBeLessThanOrEqual(ZOOM_200.height * 0.25);
          await page.setViewportSize(PHONE_390);
          await page.getByLabel(t('validate.token'), { exact: true }).fill('');

          await page.getByRole('button', { name: t('nav.menu') }).click();
          await page.getByTestId('sign-out').waitFor();
          await check('validate, menu open');
          await page.keyboard.press('Escape');

          expect(await validate('000000')).toBe(422);
          await poll(() => missKind().getAttribute('data-kind')).toBe('invalid');
          await check('validate, wrong token');

          expect(await validate(nurse.tokens[0]!)).toBe(200);
          await page.getByTestId('grant').waitFor();
          await page.getByRole('button', { name: t('grant.end') }).click();
          await page.getByTestId('confirm').waitFor();
          await check('grant, end confirmation');
          await page
            .getByTestId('confirm')
            .getByRole('button', { name: t('grant.endConfirm') })
            .click();
          await page.getByTestId('validate-form').waitFor();
          expect(await validate(nurse.tokens[0]!)).toBe(422);
          await poll(() => missKind().getAttribute('data-kind')).toBe('used');
          await check('validate, used token');

          await page.route('**/api/v1/tokens/validate', (route) =>
            route.fulfill({
              status: 422,
              contentType: 'application/json',
              body: JSON.stringify({ error: { code: 'token_expired', message: 'expired', details: { attemptsLeft: 2 } } }),
            }),
          );
          expect(await validate('123456')).toBe(422);
          await poll(() => missKind().getAttribute('data-kind')).toBe('expired');
          await check('validate, expired token');
          await page.unroute('**/api/v1/tokens/validate');
        },
        LONG,
      );

      it(
        'the grant: calm, amber, red; the record form, its errors',
        async () => {
          await page.goto(`${server.url}/`);
          expect(await validate(nurse.tokens[1]!)).toBe(200);
          await page.getByTestId('grant').waitFor();
          await check('grant, calm');
          await grantEndingIn(4 * 60);
          await poll(() => page.getByTestId('grant-clock').getAttribute('data-phase')).toBe('amber');
          await check('grant, amber (under 5 min)');
          await page.unroute('**/api/v1/me');
          await grantEndingIn(45);
          await poll(() => page.getByTestId('grant-clock').getAttribute('data-phase')).toBe('red');
          await check('grant, red (under 1 min)');
          await page.unroute('**/api/v1/me');
          await page.reload();
          await page.getByTestId('grant').waitFor();

          await page.getByRole('link', { name: t('grant.writeRecord') }).click();
          await page.getByTestId('record-form').waitFor();
          await check('record form');
          await page.getByTestId('record-form').locator('button[type="submit"]').click();
          await page.getByTestId('record-form').locator('[aria-invalid="true"]').first().waitFor();
          await check('record form, errors');
          await page.getByLabel(t('record.patientName')).fill('Pak Agus');
        },
        LONG,
      );

      it(
        'my tokens: request sent, the one-time reveal, leaving asks',
        async () => {
          await navTo(page, '/tokens');
          await page.getByTestId('my-requests').waitFor({ state: 'attached' });
          await check('my tokens');
          await page.getByLabel(t('tokens.quantity')).fill('5');
          await page.getByRole('button', { name: t('tokens.submit') }).click();
          await page.getByTestId('request-msg').locator('.alert').waitFor();
          await check('my tokens, request sent');
          await page.getByTestId('reveal').click();
          await page.getByTestId('revealed').locator('code').first().waitFor();
          await check('reveal');
          await navTo(page, '/validate');
          await page.getByTestId('confirm').waitFor();
          await check('reveal, leaving asks');
          await page
            .getByTestId('confirm')
            .getByRole('button', { name: t('common.stay') })
            .click();
          await page.getByTestId('noted').click();
          await page.getByTestId('revealed').waitFor({ state: 'detached' });
        },
        LONG,
      );

      it(
        'account, sign out everywhere asks, own profile',
        async () => {
          await page.goto(`${server.url}/account`);
          await heading(t('account.title')).waitFor();
          await check('account');
          await page.getByTestId('sign-out-everywhere').click();
          await page.getByTestId('confirm').waitFor();
          await check('account, sign out everywhere asks');
          await page
            .getByTestId('confirm')
            .getByRole('button', { name: t('common.cancel') })
            .click();
          await page.goto(`${server.url}/user-profile/${nurse.id}`);
          await page.getByTestId('profile-tokens').waitFor();
          await check('own profile');
        },
        LONG,
      );

      it(
        'offline: the reload that finds no connection, and coming back',
        async () => {
          await page.goto(`${server.url}/`);
          await page
            .waitForFunction(() => navigator.serviceWorker.controller !== null || (navigator.serviceWorker.ready.then(() => location.reload()), false), null, {
              timeout: 60_000,
            })
            .catch(async () => {
              await page.reload();
              await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
            });
          await context.setOffline(true);
          await page.reload();
          await heading(t('offline.screenTitle')).waitFor();
          await page.getByTestId('offline-notice').waitFor();
          await check('offline');
          await context.setOffline(false);
          await heading(t('validate.title')).waitFor({ timeout: 30_000 });
        },
        LONG,
      );

      it(
        'locked out: the panel with its countdown and the ward’s escalation text',
        async () => {
          await signOut();
          await signIn(locked.username, locked.password);
          await page.getByTestId('lock-panel').waitFor();
          expect(await page.getByTestId('escalation').textContent()).toBe(ESCALATION);
          expect(await page.getByRole('button', { name: t('validate.submit'), exact: true }).isDisabled()).toBe(true);
          await check('validate, locked out');
        },
        LONG,
      );

      it(
        'the idle lock',
        async () => {
          // The phone's clock runs fast here: a minute passes in an instant (the real wait is in walks.e2e).
          await admin.call('PATCH', '/settings', { idleLockMinutes: 1 });
          const idle = await context.newPage();
          await idle.clock.install();
          await idle.goto(`${server.url}/`);
          await heading(t('validate.title'), idle).waitFor();
          await idle.clock.fastForward('01:10');
          await idle.getByTestId('idle-lock').waitFor();
          await check('idle lock', idle);
          await idle.close();
          await admin.call('PATCH', '/settings', { idleLockMinutes: 5 });
        },
        LONG,
      );

      it(
        'admin: every console screen and its open filters, menus and confirmations',
        async () => {
          await page.goto(`${server.url}/`);
          await signIn(ADMIN.username, ADMIN.password);
          await heading(t('nav.monitoring')).waitFor();
          await page.getByTestId('chart-daily').waitFor();
          await page.getByTestId('live-status').waitFor();
          await check('admin monitoring');

          const more = page.getByRole('navigation', { name: t('nav.admin') }).getByRole('button', { name: t('common.more') });
          if (await more.isVisible()) {
            await more.click();
            await settle(page);
            await check('admin navigation, More open');
            await page.keyboard.press('Escape');
          }

          // Slack's dead letters: no run has Slack, so the list is stubbed.
          await page.route('**/api/v1/dead-letters*', (route) =>
            route.fulfill({
              json: {
                items: [
                  {
                    id: 7,
                    destination: 'slack',
                    kind: 'request.created',
                    status: 'dead',
                    subject: { requestId: null, grantId: null, userId: null },
                    reason: 'not_in_channel',
                    lastError: 'An API error occurred: not_in_channel',
                    attempts: 3,
                    createdAt: new Date().toISOString(),
                    deadAt: new Date().toISOString(),
                  },
                ],
                nextCursor: null,
                delivery: { slack: { state: 'up', reason: null, since: null }, pending: 1, oldestPendingSeconds: 30, dead: 1 },
              },
            }),
          );
          await page.reload();
          await page.getByTestId('dead-letters').waitFor();
          await check('admin monitoring, Slack dead letters');
          await page.unroute('**/api/v1/dead-letters*');

          const screens: Array<[string, string, string]> = [
            ['/admin/requests', 'admin requests', 'requests'],
            ['/admin/reviews', 'admin reviews', 'grants'],
            ['/admin/tokens', 'admin tokens', 'token-cards'],
            ['/admin/generate', 'admin generate', ''],
            ['/admin/audit', 'admin audit', 'audit-cards'],
            ['/admin/users', 'admin users', 'users'],
            ['/admin/settings', 'admin settings', ''],
            [`/admin/user-profile/${nurse.id}`, 'admin user profile', 'profile-tokens'],
          ];
          for (const [path, name, testid] of screens) {
            await page.goto(`${server.url}${path}`);
            await page.locator('main h1').waitFor();
            if (testid) await page.getByTestId(testid).waitFor({ state: 'attached' });
            await page
              .locator('main [role="status"]')
              .filter({ hasText: t('common.loading') })
              .waitFor({ state: 'detached' });
            await check(name);
            // The console's own chrome (header, navigation) leaves the phone's screen to the content: it
            // once took 35 % of every screen, pushing the first result below the fold.
            const chrome = await page.locator('main h1').evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
            expect(chrome, `${name}: the heading starts ${chrome} px down`).toBeLessThanOrEqual(PHONE_390.height * 0.2);
          }

          for (const [path, name, testid] of [
            ['/admin/tokens', 'admin tokens, filters open', 'token-filters'],
            ['/admin/audit', 'admin audit, filters open', 'audit-filters'],
          ] as const) {
            await page.goto(`${server.url}${path}`);
            await page.getByRole('button', { name: t('filters.button') }).click();
            await page.getByTestId(testid).waitFor();
            await check(name);
          }

          await page.goto(`${server.url}/admin/tokens`);
          await page
            .getByTestId('token-cards')
            .getByRole('button', { name: t('tok.revoke') })
            .first()
            .click();
          await page.getByTestId('confirm').waitFor();
          await check('admin tokens, revoke asks');
          await page
            .getByTestId('confirm')
            .getByRole('button', { name: t('common.cancel') })
            .click();

          await page.goto(`${server.url}/admin/generate`);
          await page.getByRole('button', { name: t('gen.submit'), exact: true }).click();
          await page.getByTestId('generated').locator('code').first().waitFor();
          await check('admin generate, one-time plaintext');
          await page.getByRole('button', { name: t('gen.done') }).click();

          await page.goto(`${server.url}/admin/users`);
          const row = page
            .getByTestId('users')
            .locator('li')
            .filter({ hasText: lang === 'en' ? 'Siti Rahma' : 'Sri Wahyuni' });
          await row.locator('select').first().selectOption('admin');
          await page.getByTestId('confirm').waitFor();
          await check('admin users, role change asks');
          await page
            .getByTestId('confirm')
            .getByRole('button', { name: t('common.cancel') })
            .click();

          await page.goto(`${server.url}/admin/requests`);
          await page
            .getByTestId('requests')
            .locator('li')
            .first()
            .getByRole('button', { name: t('req.reject') })
            .click();
          await settle(page);
          await check('admin requests, rejecting');
        },
        LONG,
      );
    });
  }
});
