// An admin on a laptop and a nurse on a phone, side by side: the badge lights up live when the
// request arrives, the admin approves, the nurse's stock follows; review, generate, audit and CSV.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN, ApiClient, buildPwa, hasChromium, launch, shot, signInUi, startServer, poll, type Server, SETUP_TIMEOUT_MS } from './harness';

describe.skipIf(!hasChromium)('admin console with a nurse alongside', () => {
  let server: Server;
  let closers: (() => Promise<void>)[] = [];
  let adminPage: Page;
  let nursePage: Page;
  let nurseToken: string;

  beforeAll(async () => {
    buildPwa();
    server = await startServer();
    const admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    const ani = await admin.createUser('ani', 'Ani Wijaya', 'ani-password-1');
    nurseToken = (await admin.generate(ani, 1))[0]!;
    const a = await launch({ width: 1280, height: 800 });
    const n = await launch();
    closers = [a.close, n.close];
    adminPage = await a.context.newPage();
    nursePage = await n.context.newPage();
    await signInUi(adminPage, server.url, ADMIN.username, ADMIN.password);
    await signInUi(nursePage, server.url, 'ani', 'ani-password-1');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const c of closers) await c();
    await server?.stop();
  });

  const adminNav = (name: string) => adminPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name, exact: true });
  const badge = () => adminPage.getByRole('navigation', { name: 'Main' }).getByTestId('badge');

  it('admin lands on live monitoring; the badge lights up when a request arrives', async () => {
    await adminPage.getByRole('heading', { name: 'Monitoring' }).waitFor();
    await adminPage.getByTestId('stats').getByText('Available').waitFor();
    expect(await badge().count()).toBe(0);
    await shot(adminPage, '10-admin-monitoring');

    await nursePage.goto(`${server.url}/tokens`);
    await nursePage.getByLabel('Quantity').fill('4');
    await nursePage.getByRole('button', { name: 'Send request' }).click();
    await poll(() => nursePage.getByTestId('request-msg').textContent()).toContain('Request sent.');

    // No reload: the SSE event refreshes the badge and the monitoring numbers.
    await poll(() => badge().textContent()).toBe('1');
    await poll(() => adminPage.getByTestId('stat-pending').textContent()).toMatch(/^1/);
  });

  it('admin approves and the nurse sees the new stock without reloading', async () => {
    await poll(() => nursePage.getByTestId('stock').textContent()).toContain('You hold 1 token');
    await adminNav('Requests').click();
    const card = adminPage.getByTestId('requests').locator('li').filter({ hasText: 'Ani Wijaya asks for 4' });
    await card.waitFor();
    await shot(adminPage, '11-admin-requests');
    await card.getByRole('button', { name: 'Approve' }).click();
    await poll(() => adminPage.getByTestId('requests-msg').textContent()).toBe('Approved: 4 tokens issued.');
    await poll(() => badge().count()).toBe(0);
    await poll(() => nursePage.getByTestId('stock').textContent()).toContain('You hold 5 tokens');
    await poll(() => nursePage.getByTestId('my-requests').textContent()).toContain('approved');
  });

  it('the nurse without Slack reveals the newly assigned tokens once', async () => {
    await nursePage.getByTestId('reveal').click();
    const list = nursePage.getByTestId('revealed');
    await list.locator('code').first().waitFor();
    expect(await list.locator('code').count()).toBeGreaterThanOrEqual(4);
    await shot(nursePage, '08-reveal');
    await nursePage.getByRole('button', { name: 'I have noted them' }).click();
    await list.waitFor({ state: 'detached' });
  });

  it('an emergency access shows up for review; the admin marks it justified', async () => {
    await nursePage.getByRole('link', { name: 'Validate', exact: true }).click();
    await nursePage.getByLabel('Token', { exact: true }).fill(nurseToken);
    await nursePage.getByLabel('Reason', { exact: true }).fill('code blue ward 3');
    await nursePage.getByRole('button', { name: 'Validate', exact: true }).click();
    await nursePage.getByText('Emergency access granted').waitFor();
    await poll(() => badge().textContent()).toBe('1');

    await adminNav('Reviews').click();
    const card = adminPage.getByTestId('grants').locator('li').filter({ hasText: 'code blue ward 3' });
    await card.waitFor();
    await shot(adminPage, '12-admin-reviews');
    await card.getByRole('button', { name: 'Mark justified' }).click();
    await poll(() => adminPage.getByTestId('grants').locator('li').filter({ hasText: 'code blue ward 3' }).count()).toBe(0);
    await poll(() => badge().count()).toBe(0);
  });

  it('generates unassigned tokens and shows the plaintext once, with CSV download', async () => {
    await adminNav('Generate').click();
    await adminPage.getByText(/6 digits recommended/).waitFor();
    await adminPage.getByLabel('How many').fill('3');
    await adminPage.getByRole('button', { name: 'Generate', exact: true }).click();
    const list = adminPage.getByTestId('generated');
    await list.locator('code').first().waitFor();
    const codes = await list.locator('code').allTextContents();
    expect(codes).toHaveLength(3);
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    await shot(adminPage, '13-admin-generate');
    const [download] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByTestId('download-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('token,assignee,expiresAt,notes');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(codes);
  });

  it('lists tokens with filters and revokes one', async () => {
    // Leaving the one-time plaintext asks first.
    await adminNav('Tokens').click();
    await adminPage.getByRole('button', { name: 'Leave' }).click();
    await adminPage.getByRole('heading', { name: 'Tokens' }).waitFor();
    await adminPage.getByRole('button', { name: 'Filters' }).click();
    await adminPage.getByLabel('Status').selectOption('available');
    const table = adminPage.getByTestId('token-table');
    await table.locator('tbody tr').first().waitFor();
    await shot(adminPage, '14-admin-tokens');
    const before = await table.locator('tbody tr').count();
    await table.getByRole('button', { name: 'Revoke' }).first().click();
    await adminPage.getByTestId('confirm').getByRole('button', { name: 'Revoke' }).click();
    await table.locator('[data-status="revoked"]').first().waitFor();
    await adminPage.getByLabel('Status').selectOption('revoked');
    await poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(before).toBeGreaterThan(1);
  });

  it('filters the audit trail and exports exactly the filtered set as CSV', async () => {
    await adminNav('Audit').click();
    const table = adminPage.getByTestId('audit-table');
    await table.locator('tbody tr').first().waitFor();
    await adminPage.getByRole('button', { name: 'Filters' }).click();
    await adminPage.getByLabel('Action').selectOption('token.validated');
    await adminPage.getByRole('button', { name: 'Apply' }).click();
    await poll(async () => new Set(await table.locator('tbody tr td:nth-child(2)').allTextContents())).toEqual(new Set(['Token validation']));
    expect(await adminPage.getByTestId('filter-summary').textContent()).toBe('Action: Token validation');
    const rows = await table.locator('tbody tr').count();
    await shot(adminPage, '15-admin-audit');

    const href = await adminPage.getByTestId('audit-export').getAttribute('href');
    expect(href).toContain('action=token.validated');
    const [download] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByTestId('audit-export').click()]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines.length - 1).toBe(rows);
    for (const l of lines.slice(1)) expect(l).toContain('token.validated');
  });

  it('manages users and opens a profile', async () => {
    await adminNav('Users').click();
    await adminPage.getByLabel('Username').fill('dewi');
    await adminPage.getByLabel('Full name').fill('Dewi Lestari');
    await adminPage.getByLabel(/Password/).fill('dewi-password-1');
    await adminPage.getByRole('button', { name: 'Create user' }).click();
    await poll(() => adminPage.getByTestId('users-msg').textContent()).toBe('User created.');
    const row = adminPage.getByTestId('users').locator('li').filter({ hasText: 'Dewi Lestari' });
    await row.getByPlaceholder('Slack user id').fill('U0DEWI');
    await row.getByRole('button', { name: 'Link Slack' }).click();
    await poll(() => adminPage.getByTestId('users-msg').textContent()).toBe('User updated.');
    await shot(adminPage, '16-admin-users');
    await adminPage.getByTestId('users').locator('li').filter({ hasText: 'Ani Wijaya' }).getByRole('link', { name: 'Profile' }).click();
    await adminPage.getByRole('heading', { name: /User profile: Ani Wijaya/ }).waitFor();
    expect(adminPage.url()).toMatch(/\/admin\/user-profile\//);
    await shot(adminPage, '17-admin-profile');
  });
});
