import { describe, expect, it } from 'vitest';
import { phone, screenshot, seriousA11yViolations, useBrowser } from './browser.ts';

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
    await page.getByLabel('E-mail').fill(web.api.accounts.user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toBe('Wrong e-mail or password.');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.context().close();
  });

  it('an e-mail that is not one shows the message under the field, before anything is sent', async () => {
    const page = await web.newPage();
    let loginRequests = 0;
    page.on('request', (request) => {
      if (request.url().includes('auth.login')) loginRequests += 1;
    });
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill('not-an-email');
    await page.getByLabel('Password').fill('whatever');
    await page.getByLabel('Password').press('Enter');
    await expect(page.getByText('is not a valid e-mail address').isVisible()).resolves.toBe(true);
    expect(loginRequests).toBe(0);
    await page.context().close();
  });

  it('a deep link opens after signing in', async () => {
    const page = await web.newPage();
    await page.goto('/profile');
    await page.getByLabel('E-mail').fill(web.api.accounts.manager.email);
    await page.getByLabel('Password').fill(web.api.accounts.manager.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/profile');
    await page.context().close();
  });

  it('the sign-in page works on a phone and has no serious accessibility problems', async () => {
    const page = await web.newPage(phone);
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in-phone');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });
});
