// `npm run screenshots`: the PWA's screenshots for pwa/README.md, taken on a 390×844 phone (headless
// Chromium through playwright-core) from the real server on a throwaway embedded database: the validate
// screen, a granted emergency access with its clock, the lockout, and the admin's monitoring. Written to
// pwa/docs/screenshots/ and committed; run again after a visible change.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN, ApiClient, PHONE_390, ROOT, buildPwa, hasChromium, chromium, launch, startServer } from '../tests/e2e/harness';

const OUT = join(ROOT, 'pwa', 'docs', 'screenshots');
const ESCALATION = 'Call the charge nurse on 1234. Use the paper log at the nurses’ station.';

async function signIn(page: Page, url: string, username: string, password: string, lang: 'en' | 'id') {
  await page.goto(`${url}/login`);
  await page.getByLabel(lang === 'en' ? 'Username' : 'Nama pengguna').fill(username);
  await page.getByLabel(lang === 'en' ? 'Password' : 'Kata sandi', { exact: true }).fill(password);
  await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : 'Masuk' }).click();
  await page.locator('header.topbar [data-testid="nav-menu-button"]').waitFor();
}

async function snap(page: Page, name: string) {
  // The caret and focus rings blink and move: park focus where nothing is drawn.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`pwa/docs/screenshots/${name}.png`);
}

async function main() {
  if (!hasChromium) throw new Error('missing' in chromium ? chromium.missing : 'no Chromium');
  mkdirSync(OUT, { recursive: true });
  buildPwa();
  const server = await startServer();
  const { context, close } = await launch(PHONE_390);
  try {
    const admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    await admin.call('PATCH', '/settings', { escalationText: ESCALATION });
    const siti = await admin.createUser('siti', 'Siti Rahma', 'siti-password-1');
    const tokens = await admin.generate(siti, 4);
    const budi = await admin.createUser('budi', 'Budi Santoso', 'budi-password-1');
    await admin.generate(budi, 2);
    // Some use for the monitoring charts: accesses, refused tokens and requests from a few nurses.
    for (const [username, name] of [
      ['ani', 'Ani Wijaya'],
      ['dewi', 'Dewi Lestari'],
      ['rina', 'Rina Hartono'],
    ] as const) {
      const id = await admin.createUser(username, name, `${username}-password-1`);
      const own = await admin.generate(id, 3);
      const nurse = await ApiClient.signIn(server.url, username, `${username}-password-1`);
      for (const token of own.slice(0, username === 'ani' ? 3 : 2)) await nurse.call('POST', '/tokens/validate', { token, reason: 'resuscitation' });
      await nurse.call('POST', '/tokens/validate', { token: '000000', reason: 'resuscitation' }).catch(() => {});
      await nurse.call('POST', '/token-requests', { quantity: 5, reason: 'night shift' }).catch(() => {});
    }

    const page = await context.newPage();
    await signIn(page, server.url, 'siti', 'siti-password-1', 'en');
    await page.getByLabel('Token', { exact: true }).waitFor();
    await snap(page, 'validate');

    await page.getByLabel('Token', { exact: true }).fill(tokens[0]!);
    await page.getByLabel('Reason', { exact: true }).fill('Cardiac arrest, bed 4');
    await page.getByLabel(/Patient reference/).fill('MRN-20417');
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    await page.getByTestId('grant').waitFor();
    await snap(page, 'grant');

    await page.context().clearCookies();
    await signIn(page, server.url, 'budi', 'budi-password-1', 'en');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Token', { exact: true }).fill('999999');
      await page.getByLabel('Reason', { exact: true }).fill('Cardiac arrest, bed 4');
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/tokens/validate')),
        page.getByRole('button', { name: 'Validate', exact: true }).click(),
      ]);
    }
    await page.getByTestId('lock-panel').waitFor();
    await snap(page, 'lockout');

    await page.context().clearCookies();
    await signIn(page, server.url, ADMIN.username, ADMIN.password, 'en');
    await page.getByTestId('chart-daily').waitFor();
    await page.getByTestId('live-status').waitFor();
    await page.locator('.u-over').first().waitFor();
    await snap(page, 'monitoring');
    await page.getByTestId('chart-hourly').scrollIntoViewIfNeeded();
    await snap(page, 'monitoring-charts');
  } finally {
    await close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
