/**
 * The users page in Chromium against the real API: an admin creates a user, changes their role,
 * deactivates and reactivates them and resets a password (the new one signs in); bad input saves
 * nothing; the API's lock-out guards show in words; a manager is told they are not allowed.
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible, openFromNav, phone, requestsTo, signInOn, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

const userRow = (page: Page, name: string) =>
  page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: name });

const userInDb = async (email: string) => {
  const { rows } = await web.api.db.query<{ role: string; is_active: boolean; name: string; timezone: string }>(
    'SELECT role, is_active, name, timezone FROM users WHERE email = $1',
    [email],
  );
  return rows[0];
};

const openUsers = async (page: Page) => {
  await openFromNav(page, 'Users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
};

describe('the users page', () => {
  it('an admin creates a user, changes the role, deactivates and reactivates them', async () => {
    const page = await web.signIn('admin');
    await openUsers(page);
    await page.getByRole('button', { name: 'New user' }).click();
    const create = page.getByRole('dialog', { name: 'New user' });
    await create.getByLabel('Name').fill('Dana Field');
    await create.getByLabel('E-mail').fill('Dana.Field@Example.com');
    await create.getByLabel('Role').selectOption({ label: 'User' });
    await create.getByLabel('Time zone').fill('Europe/Berlin');
    await create.getByLabel('Password').fill('dana-password-1');
    await create.getByRole('button', { name: 'Create user' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Dana Field can now sign in as dana.field@example.com.' })
      .waitFor();
    const row = userRow(page, 'Dana Field');
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      'Dana Field ',
      'dana.field@example.com',
      'User',
      'Active',
      'Europe/Berlin',
      'EditReset passwordDeactivate',
    ]);
    expect(await userInDb('dana.field@example.com')).toEqual({
      role: 'user',
      is_active: true,
      name: 'Dana Field',
      timezone: 'Europe/Berlin',
    });

    await row.getByRole('button', { name: 'Edit Dana Field' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Dana Field' });
    await edit.getByLabel('Role').selectOption({ label: 'Manager' });
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Dana Field is now manager' }).waitFor();
    await row.getByRole('cell', { name: 'Manager', exact: true }).waitFor();
    expect((await userInDb('dana.field@example.com'))?.role).toBe('manager');

    await row.getByRole('button', { name: 'Deactivate Dana Field' }).click();
    await page
      .getByRole('dialog', { name: 'Deactivate Dana Field?' })
      .getByRole('button', { name: 'Deactivate' })
      .click();
    await row.getByRole('button', { name: 'Reactivate Dana Field' }).waitFor();
    await row.getByRole('cell', { name: 'Deactivated', exact: true }).waitFor();
    expect((await userInDb('dana.field@example.com'))?.is_active).toBe(false);

    // The status filter is in the URL.
    await page.getByLabel('Status').selectOption({ label: 'Deactivated' });
    await page.waitForURL((url) => url.searchParams.get('status') === 'deactivated');
    // The previous page stays on screen while the filtered one loads: wait for the last active row to go.
    const table = page.getByRole('table', { name: 'Users' });
    await table.getByRole('cell', { name: 'Active', exact: true }).first().waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await page.getByLabel('Status').selectOption({ label: 'Active and deactivated' });

    await row.getByRole('button', { name: 'Reactivate Dana Field' }).click();
    await row.getByRole('button', { name: 'Deactivate Dana Field' }).waitFor();
    await row.getByRole('cell', { name: 'Active', exact: true }).waitFor();
    expect((await userInDb('dana.field@example.com'))?.is_active).toBe(true);
    await page.context().close();
  });

  it('the API’s lock-out guards answer in words: no self-deactivation, no change of one’s own role', async () => {
    const page = await web.signIn('admin');
    await openUsers(page);
    const me = userRow(page, 'Test admin');
    await me.getByRole('button', { name: 'Deactivate Test admin' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate Test admin?' });
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'You cannot deactivate yourself.' }).waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await userInDb(web.api.accounts.admin.email))?.is_active).toBe(true);

    await me.getByRole('button', { name: 'Edit Test admin' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Test admin' });
    await edit.getByLabel('Role').selectOption({ label: 'User' });
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('you cannot change your own role').waitFor();
    expect(await edit.getByLabel('Role').getAttribute('aria-invalid')).toBe('true');
    expect((await userInDb(web.api.accounts.admin.email))?.role).toBe('admin');
    await page.context().close();
  });

  it('bad input shows each field’s message and creates nobody; a taken e-mail comes back under its field', async () => {
    const count = () => web.countRows('users');
    const before = await count();
    const page = await web.signIn('admin');
    await openUsers(page);
    await page.getByRole('button', { name: 'New user' }).click();
    const create = page.getByRole('dialog', { name: 'New user' });
    await create.getByLabel('E-mail').fill('not-an-email');
    await create.getByLabel('Time zone').fill('Mars/Olympus');
    await create.getByLabel('Password').fill('short');
    await create.getByLabel('Password').press('Enter');
    await create.getByText('is not a valid e-mail address').waitFor();
    await create.getByText('is required').waitFor();
    await create.getByText('must be at least 10 characters').waitFor();
    await create.getByText(/is not a known IANA time zone/).waitFor();
    expect(await count()).toBe(before);

    await create.getByLabel('Name').fill('Second Manager');
    await create.getByLabel('E-mail').fill(web.api.accounts.manager.email);
    await create.getByLabel('Time zone').fill('UTC');
    await create.getByLabel('Password').fill('long-enough-password');
    await create.getByRole('button', { name: 'Create user' }).click();
    await create.getByText(/already/).waitFor();
    expect(await create.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    expect(await count()).toBe(before);
    await page.context().close();
  });

  it('an admin resets a password, and the new one signs in', async () => {
    const page = await web.signIn('admin');
    await openUsers(page);
    await userRow(page, 'Test otherUser').getByRole('button', { name: 'Reset password of Test otherUser' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset Test otherUser’s password' });
    await dialog.getByLabel('New password').fill('a-brand-new-password');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('status').filter({ hasText: 'password was reset' }).waitFor();
    await page.context().close();

    const other = await web.newPage();
    await signInOn(other, { email: web.api.accounts.otherUser.email, password: 'a-brand-new-password' });
    await other.context().close();
  });

  it('a manager has no Users link and is told they are not allowed', async () => {
    const page = await web.signIn('manager');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    const usersRequests = requestsTo(page, 'users.list');
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Not allowed: only admins manage users.');
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    expect(usersRequests).toEqual([]);
    await page.context().close();
  });

  it('has no serious accessibility problems, with the list, a dialog and on a phone', async () => {
    await make.user('manager');
    const page = await web.signIn('admin');
    await openUsers(page);
    await expectAccessible(page, 'users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByRole('dialog', { name: 'New user' }).waitFor();
    await expectAccessible(page, 'user-form');
    await page.context().close();

    const small = await web.signIn('admin', phone);
    await small.goto('/users');
    await small.getByRole('table', { name: 'Users' }).waitFor();
    await expectAccessible(small, 'users-phone');
    await small.context().close();
  });
});
