// A nurse on a phone: sign in, validate (each failure, success), write the record, end the session,
// request tokens, and get locked out after too many failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, ApiClient, buildPwa, hasChromium, launch, shot, signInUi, startServer, poll, type Server, SETUP_TIMEOUT_MS } from './harness';

describe.skipIf(!hasChromium)('staff on a phone', () => {
  let server: Server;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;
  let tokens: string[];

  beforeAll(async () => {
    buildPwa();
    server = await startServer();
    const admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    const siti = await admin.createUser('siti', 'Siti Rahma', 'siti-password-1');
    tokens = await admin.generate(siti, 3);
    const budi = await admin.createUser('budi', 'Budi Santoso', 'budi-password-1');
    await admin.generate(budi, 1);
    ({ context, close } = await launch());
    page = await context.newPage();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  const validate = async (token: string, reason = 'cardiac arrest bed 4') => {
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByLabel('Reason', { exact: true }).fill(reason);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/tokens/validate')),
      page.getByRole('button', { name: 'Validate', exact: true }).click(),
    ]);
    return res.status();
  };
  const error = () => page.getByTestId('validate-form').locator('.field-error[data-kind]');

  it('signs in and lands on validation with the stock and its low-stock warning', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, '01-sign-in');
    await page.getByLabel('Username').fill('siti');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByTestId('login-error').textContent()).toContain('Wrong username or password.');
    await page.getByLabel('Password').fill('siti-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Emergency access' }).waitFor();
    const stock = page.getByTestId('stock');
    expect(await stock.textContent()).toContain('You hold 3 tokens');
    expect(await stock.textContent()).toContain('Running low (under 5).');
    const field = page.getByLabel('Token', { exact: true });
    expect(await field.getAttribute('inputmode')).toBe('numeric');
    expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
    await shot(page, '02-validate');
  });

  it('says when a token is invalid, with the tries left', async () => {
    expect(await validate('000000')).toBe(422);
    await poll(() => error().textContent()).toMatch(/^Not a valid token\. Check the digits and try again\. \d tries left before validation is locked\.$/);
    expect(await page.getByLabel('Token', { exact: true }).inputValue()).toBe('000000');
    await shot(page, '03-validate-invalid');
  });

  it('opens emergency access on a good token, with a countdown', async () => {
    expect(await validate(tokens[0]!)).toBe(200);
    const grant = page.getByTestId('grant');
    await grant.getByText('Emergency access granted').waitFor();
    expect(await page.getByTestId('countdown').textContent()).toMatch(/^(30:00|29:\d\d)$/);
    await poll(() => page.getByTestId('stock').textContent()).toContain('You hold 2 tokens');
    await shot(page, '04-validate-success');
  });

  it('writes the emergency record, then ends the session', async () => {
    await page.getByRole('link', { name: 'Write emergency record' }).click();
    await page.getByRole('heading', { name: 'Emergency record' }).waitFor();
    await page.getByLabel('Patient name').fill('Pak Agus');
    await page.getByLabel('Complaint').fill('Chest pain, short of breath');
    await page.getByRole('radio', { name: '2' }).check();
    await page.getByLabel(/Notes/).fill('ECG done, aspirin given');
    await shot(page, '05-record');
    await page.getByRole('button', { name: 'Save record' }).click();
    await page.getByTestId('record-saved').waitFor();
    await page.getByRole('button', { name: 'End session' }).click();
    await page.getByRole('button', { name: 'End access' }).click();
    await page.getByTestId('grant-strip').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Validate', exact: true }).first().click();
    await page.getByLabel('Token', { exact: true }).waitFor();
    expect(await page.getByTestId('grant').count()).toBe(0);
  });

  it('says when a token was already used', async () => {
    expect(await validate(tokens[0]!)).toBe(422);
    await poll(() => error().textContent()).toMatch(/This token has already been used\. Use another of your tokens\./);
  });

  it('says when a token has expired (server answer stubbed: no token can expire within a test run)', async () => {
    await page.route('**/api/v1/tokens/validate', (route) =>
      route.fulfill({
        status: 422,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'token_expired', message: 'expired', details: { attemptsLeft: 2 } } }),
      }),
    );
    expect(await validate('123456')).toBe(422);
    await poll(() => error().textContent()).toBe('Expired. This token has expired. Use another of your tokens. 2 tries left before validation is locked.');
    await page.unroute('**/api/v1/tokens/validate');
  });

  it('requests more tokens and sees the request pending', async () => {
    await page.getByRole('link', { name: 'Request more' }).click();
    await page.getByRole('heading', { name: 'My tokens and requests' }).waitFor();
    await page.getByLabel('Quantity').fill('10');
    await page.getByLabel(/Reason/).fill('night shift ICU');
    await page.getByRole('button', { name: 'Send request' }).click();
    await poll(() => page.getByTestId('request-msg').textContent()).toContain('Request sent.');
    await poll(() => page.getByTestId('my-requests').textContent()).toContain('pending');
    await shot(page, '06-my-tokens');
  });

  it('locks validation after too many failures and says until when', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInUi(page, server.url, 'budi', 'budi-password-1');
    for (let i = 0; i < 5; i++) expect(await validate('999999')).toBe(422);
    await page.getByTestId('lock-panel').waitFor();
    expect(await page.getByTestId('lock-when').textContent()).toMatch(/^You can try again in 1[45] min, at .+\.$/);
    expect(await page.getByRole('button', { name: 'Validate', exact: true }).isDisabled()).toBe(true);
    await shot(page, '07-validate-locked');
  });

  it('switches the signed-in app to Bahasa Indonesia', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Akses darurat' }).waitFor();
    expect(await page.getByRole('button', { name: 'Validasi', exact: true }).count()).toBe(1);
    expect(await page.getByTestId('stock').textContent()).toContain('Anda memiliki 1 token');
    await shot(page, '09-validate-id');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Emergency access' }).waitFor();
  });
});
