import { describe, expect, it } from 'vitest';
import { expectAccessible, phone, requestsTo, submitSignIn, useBrowser } from './browser.ts';

const web = useBrowser();

describe('signing in and out', () => {
  it.each(['admin', 'manager', 'user'] as const)('a %s signs in, sees their name and signs out again', async (name) => {
    const page = await web.signIn(name);
    const account = web.api.accounts[name];
    await expect(page.getByRole('link', { name: new RegExp(`Test ${name}`) }).textContent()).resolves.toContain(
      `(${account.role})`,
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The session is gone: a deep link leads back to sign-in, remembering where it was going.
    await page.goto('/clients?status=active');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/clients?status=active');
    await page.context().close();
  });

  it('a wrong password shows an error and stays on the sign-in page', async () => {
    const page = await web.newPage();
    await page.goto('/sign-in');
    await submitSignIn(page, { email: web.api.accounts.user.email, password: 'not the password' });
    await expect(page.getByRole('alert').first().textContent()).resolves.toBe('Wrong e-mail or password.');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.context().close();
  });

  it('an e-mail that is not one shows the message under the field, before anything is sent', async () => {
    const page = await web.newPage();
    const logins = requestsTo(page, 'auth.login');
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill('not-an-email');
    await page.getByLabel('Password').fill('whatever');
    await page.getByLabel('Password').press('Enter');
    await expect(page.getByText('is not a valid e-mail address').isVisible()).resolves.toBe(true);
    expect(logins).toEqual([]);
    await page.context().close();
  });

  it('a deep link opens after signing in', async () => {
    const page = await web.newPage();
    await page.goto('/profile');
    await submitSignIn(page, web.api.accounts.manager);
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/profile');
    await page.context().close();
  });

  it('the sign-in page works on a phone and has no serious accessibility problems', async () => {
    const page = await web.newPage(phone);
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in-phone');
    await page.context().close();
  });
});
