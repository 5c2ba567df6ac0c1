import { ADMIN, ApiClient, launch, startServer } from './tests/e2e/harness';
const server = await startServer({ GRANT_MINUTES: '6' });
try {
  const admin = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
  const siti = await admin.createUser('siti', 'Siti Rahma', 'siti-password-1');
  const toks = await admin.generate(siti, 3);
  const { context, close } = await launch({ width: 390, height: 844 });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Username').fill('siti');
  await page.getByLabel('Password').fill('siti-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Token', { exact: true }).fill(toks[0]!);
  await page.getByLabel('Reason', { exact: true }).fill('cardiac arrest bed 4');
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  await page.getByTestId('grant').waitFor();
  console.log(await page.evaluate(() => {
    const m = document.querySelector('.onerow-measure ul')!;
    const row = document.querySelector('.onerow-row')!;
    return { widths: [...m.children].map((c) => c.getBoundingClientRect().width), gap: getComputedStyle(m).columnGap, more: document.querySelector('.onerow-measure .onerow-button')!.getBoundingClientRect().width, row: row.clientWidth, visible: [...document.querySelectorAll('.onerow-row .onerow-links a')].map((a) => [a.textContent, a.getBoundingClientRect().width]) };
  }));
  await close();
} finally { await server.stop(); }
