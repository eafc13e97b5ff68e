import { test, expect, PASSWORD } from './fixtures.js';
import { Dashboard } from './pages/dashboard.js';
import { SignInPage } from './pages/sign-in.js';

test.describe('signing in and out', () => {
  test('the admin password opens the dashboard; signing out ends the session', async ({ page, pasv }) => {
    const signIn = new SignInPage(page, pasv.url);
    const dashboard = new Dashboard(page, pasv.url);

    await signIn.open();
    await expect(signIn.heading).toBeVisible();
    await signIn.signIn(PASSWORD);

    await expect(dashboard.signOut).toBeVisible();
    await expect(dashboard.connection).toHaveText('● live');
    await expect(dashboard.left.site).toHaveValue(pasv.alpha.id);
    await expect(dashboard.right.site).toHaveValue(pasv.beta.id);
    const [session] = await page.context().cookies();
    expect(session?.httpOnly).toBe(true);

    await dashboard.signOut.click();
    await expect(signIn.heading).toBeVisible();
    await expect(dashboard.signOut).toBeHidden();

    // The session is over on the server too, not only forgotten by this page.
    const stale = await fetch(`${pasv.url}/api/session`, { headers: { cookie: `${session!.name}=${session!.value}` } });
    expect(stale.status).toBe(401);
    await page.reload();
    await expect(signIn.heading).toBeVisible();
  });

  test('a wrong password shows what the server said and lets nobody in', async ({ page, pasv }) => {
    const signIn = new SignInPage(page, pasv.url);

    await signIn.open();
    await signIn.signIn('not the password');

    // The words are the alert; the server's code is only a details line.
    await expect(signIn.error).toHaveText('Wrong password');
    await expect(page.getByText('code: bad_password')).toBeVisible();
    await expect(signIn.password).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
    expect(await page.context().cookies()).toEqual([]);

    // Correcting it clears the message.
    await signIn.signIn(PASSWORD);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(signIn.error).toBeHidden();
  });
});
