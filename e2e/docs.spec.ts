/** /api/docs: the API's own documentation page, for a signed-in browser, under the app's CSP. */
import { test, expect } from './fixtures.js';

test('the signed-in browser reads the API docs, drawn under the CSP with nothing blocked', async ({
  page,
  pasv,
  dashboard,
}) => {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') blocked.push(message.text());
  });
  await dashboard.open();
  await page.goto(`${pasv.url}/api/docs`);
  await expect(page.getByText('FXP transfer dashboard API')).toBeVisible();
  // Opened, sign-in documents its real answer: 204 with no body, not a "Default Response".
  await page.getByRole('button', { name: 'POST /api/session', exact: true }).click();
  await expect(page.getByText('Signed in: the session cookie is set')).toBeVisible();
  await expect(page.getByText('Default Response')).toHaveCount(0);
  expect(blocked.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
});

test('without a session the docs stay shut', async ({ page, pasv }) => {
  const response = await page.goto(`${pasv.url}/api/docs`);
  expect(response?.status()).toBe(401);
});
