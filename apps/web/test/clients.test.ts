/**
 * The Clients screens in Chromium against the real API: create with tags and find the client again
 * by search and by tag (the filters surviving a reload), bad input refused under its field with
 * nothing written, what each role may change, delete with its confirmation, and the detail page's
 * figures, local time and tabs.
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { clockIn } from '../src/ui/time.ts';
import { describedText, expectAccessible, openFromNav, phone, requestsTo, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

const clientRow = async (name: string) => {
  const { rows } = await web.api.db.query<{ company: string | null; status: string; tags: string[]; owner: number }>(
    'SELECT company, status, tags, owner_user_id AS owner FROM clients WHERE name = $1',
    [name],
  );
  return rows;
};

/** The rows of the client table, by the name each links with. */
const listedNames = (page: Page) =>
  page.getByRole('table', { name: 'Clients' }).getByRole('row').getByRole('link').allTextContents();

/** Waits until the table shows exactly these clients (it keeps the old rows while a filter loads). */
async function expectListed(page: Page, names: string[]) {
  await expect.poll(() => listedNames(page), { timeout: 10_000 }).toEqual(names);
}

const urlParam = (page: Page, key: string) => new URL(page.url()).searchParams.get(key);

/** Opens a client's page by its address and waits for its name as the heading. */
async function openClient(page: Page, client: { id: string; name: string }) {
  await page.goto(`/clients/${client.id}`);
  await page.getByRole('heading', { name: client.name, level: 1 }).waitFor();
}

describe('the client list', () => {
  it('creates a client with tags, then finds it by search and by the tag filter, also after a reload', async () => {
    await make.client('manager', { name: 'Quartz Mills', tags: ['wholesale'] });
    const page = await web.signIn('user');
    await openFromNav(page, 'Clients');

    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByLabel('Name').fill('Zephyr Logistics');
    await dialog.getByLabel('Tags', { exact: true }).fill('Harbour');
    await dialog.getByLabel('Tags', { exact: true }).press('Enter');
    await dialog.getByLabel('Tags', { exact: true }).fill('wholesale,');
    await dialog.getByLabel('Time zone').fill('Europe/Lisbon');
    // The typed tags became chips (lower-case, as they are stored) and the form was not sent by Enter.
    await dialog.getByRole('button', { name: 'Remove tag harbour' }).waitFor();
    await dialog.getByRole('button', { name: 'Remove tag wholesale' }).waitFor();
    await dialog.getByRole('button', { name: 'Create client' }).click();

    // Saved, and the browser is on the new client's page; the user owns it.
    await page.getByRole('heading', { name: 'Zephyr Logistics', level: 1 }).waitFor();
    expect(await clientRow('Zephyr Logistics')).toEqual([
      { company: null, status: 'active', tags: ['harbour', 'wholesale'], owner: web.api.accounts.user.internalId },
    ]);

    // Search as you type: part of the name, another letter case.
    await openFromNav(page, 'Clients');
    await expectListed(page, ['Quartz Mills', 'Zephyr Logistics']);
    await page.getByLabel('Search').fill('phyr log');
    await expectListed(page, ['Zephyr Logistics']);
    expect(urlParam(page, 'q')).toBe('phyr log');
    await page.getByLabel('Search').fill('');
    await expectListed(page, ['Quartz Mills', 'Zephyr Logistics']);

    // Sorting, also in the URL.
    await page.getByLabel('Sort').selectOption({ label: 'Name, Z to A' });
    await expectListed(page, ['Zephyr Logistics', 'Quartz Mills']);
    expect(urlParam(page, 'sort')).toBe('-name');
    await page.getByLabel('Sort').selectOption({ label: 'Name, A to Z' });
    await expectListed(page, ['Quartz Mills', 'Zephyr Logistics']);

    // The tag filter: one tag, then two with any / all.
    const filters = page.getByRole('search', { name: 'Filter clients' });
    await filters.getByLabel('Tags', { exact: true }).fill('harbour');
    await filters.getByLabel('Tags', { exact: true }).press('Enter');
    await expectListed(page, ['Zephyr Logistics']);
    expect(urlParam(page, 'tags')).toBe('harbour');
    await page.reload();
    await expectListed(page, ['Zephyr Logistics']);
    await filters.getByRole('button', { name: 'Remove tag harbour' }).waitFor();

    await filters.getByLabel('Tags', { exact: true }).fill('wholesale');
    await filters.getByLabel('Tags', { exact: true }).press('Enter');
    await expectListed(page, ['Quartz Mills', 'Zephyr Logistics']);
    await filters.getByLabel('Match').selectOption({ label: 'All of the tags' });
    await expectListed(page, ['Zephyr Logistics']);
    expect(urlParam(page, 'match')).toBe('all');

    // The URL is the filtered list: opened in a fresh tab of the same session, it shows the same.
    const url = page.url();
    const second = await page.context().newPage();
    await second.goto(url);
    await expectListed(second, ['Zephyr Logistics']);
    await expect(second.getByLabel('Match').inputValue()).resolves.toBe('all');
    await page.context().close();
  });

  it('bad input shows the message under its field and saves nothing; corrected, it saves', async () => {
    const page = await web.signIn('manager');
    const createRequests = requestsTo(page, 'clients.create');
    await openFromNav(page, 'Clients');
    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    // The dialog opens with the cursor in its first field.
    await expect(dialog.getByLabel('Name').evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    await dialog.getByLabel('Name').fill('Ill-Formed Ltd');
    await dialog.getByLabel('E-mail').fill('not-an-email');
    await dialog.getByLabel('Website').fill('ftp://ill-formed.example');
    await dialog.getByLabel('Website').press('Enter');

    // Each message is under its field and read with it (aria-describedby), the form says why.
    for (const [label, message] of [
      ['E-mail', 'is not a valid e-mail address'],
      ['Website', 'must be an http(s) URL'],
    ] as const) {
      const field = dialog.getByLabel(label);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(describedText(field)).resolves.toBe(message);
    }
    await dialog.getByText('Please correct the marked fields.').waitFor();
    // The cursor is in the first field to correct.
    await expect(dialog.getByLabel('E-mail').evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    expect(await clientRow('Ill-Formed Ltd')).toEqual([]);
    expect(createRequests).toEqual([]);
    // What was typed is still there to correct.
    await expect(dialog.getByLabel('Name').inputValue()).resolves.toBe('Ill-Formed Ltd');

    await dialog.getByLabel('E-mail').fill('office@ill-formed.example');
    await dialog.getByLabel('Website').fill('https://ill-formed.example');
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('heading', { name: 'Ill-Formed Ltd', level: 1 }).waitFor();
    expect(await clientRow('Ill-Formed Ltd')).toHaveLength(1);
    await page.context().close();
  });
});

describe('changing and deleting a client', () => {
  it('a user edits their own client, but sees no edit for another owner’s client and never a delete', async () => {
    const own = await make.client('user', { name: 'Own Client' });
    const others = await make.client('otherUser', { name: 'Someone Else’s Client' });
    const page = await web.signIn('user');

    await openClient(page, own);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Own Client' });
    // A user cannot give a client to someone else: no owner picker.
    expect(await dialog.getByLabel('Owner').count()).toBe(0);
    await dialog.getByLabel('Company').fill('Own Company GmbH');
    await dialog.getByLabel('Company').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Own Company GmbH').waitFor();
    expect((await clientRow('Own Client'))[0]?.company).toBe('Own Company GmbH');

    await openClient(page, others);
    await page.getByText('Only its owner, a manager or an admin can change this client.').waitFor();
    for (const name of ['Edit', 'Archive', 'Delete']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await page.context().close();
  });

  it('a manager deletes a client after confirming; Esc on the confirmation cancels', async () => {
    const doomed = await make.client('user', { name: 'Short-Lived Co' });
    await make.task(doomed.id, { title: 'Goes with it' });
    const page = await web.signIn('manager');
    await openClient(page, doomed);

    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Short-Lived Co?' });
    await confirm.getByText('and its task for good').waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await clientRow('Short-Lived Co')).toHaveLength(1);

    await page.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete client' }).click();
    await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/clients');
    expect(await clientRow('Short-Lived Co')).toEqual([]);
    await page.context().close();
  });

  it('deleting a client with credentials is refused with the API’s reason, and archiving is offered', async () => {
    const vaulted = await make.client('user', { name: 'Vaulted Inc' });
    await make.credential(vaulted.id, { label: 'Router admin' });
    const page = await web.signIn('admin');
    await openClient(page, vaulted);

    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Vaulted Inc?' });
    await confirm.getByRole('button', { name: 'Delete client' }).click();
    await confirm
      .getByRole('alert')
      .getByText(/^Client has credentials; delete is refused/)
      .waitFor();
    await confirm.getByRole('button', { name: 'Archive instead' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Restore' }).waitFor();
    await page.getByText('Archived', { exact: true }).waitFor();
    expect((await clientRow('Vaulted Inc'))[0]?.status).toBe('archived');
    await page.context().close();
  });
});

describe('the client page', () => {
  it('shows the client’s figures and local time, and its tabs follow the URL', async () => {
    const client = await make.client('user', { name: 'Tokyo Trading', tags: ['asia'] });
    await web.api.db.query(`UPDATE clients SET timezone = 'Asia/Tokyo' WHERE uuid = $1`, [client.id]);
    await make.task(client.id, { title: 'Late quote', dueIn: -2 });
    await make.task(client.id, { title: 'Call back today', dueIn: 0 });
    await make.task(client.id, { title: 'Draft contract', status: 'in_progress', dueIn: 3 });
    await make.task(client.id, { title: 'Kick-off', status: 'completed', dueIn: -10 });
    await make.credential(client.id, { label: 'Shop login' });

    const page = await web.signIn('manager');
    const before = new Date();
    await openClient(page, client);
    const figures = await page.getByRole('list', { name: 'Figures' }).getByRole('listitem').allTextContents();
    expect(figures).toEqual(['4 tasks', '2 pending', '1 in progress', '1 overdue', '1 completed', '1 credential']);
    const localTime = await page.getByRole('region', { name: 'Details' }).getByRole('time').textContent();
    expect([clockIn('Asia/Tokyo', before), clockIn('Asia/Tokyo')]).toContain(localTime);
    await page.getByText('(Asia/Tokyo)').waitFor();

    // The Tasks tab first: the client's open tasks.
    const tasksTab = page.getByRole('tab', { name: 'Tasks' });
    await expect(tasksTab.getAttribute('aria-selected')).resolves.toBe('true');
    await page.getByRole('tabpanel').getByText('Late quote').waitFor();

    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('tabpanel').getByRole('heading', { name: 'Shop login' }).waitFor();
    expect(urlParam(page, 'tab')).toBe('credentials');
    await page.reload();
    await page.getByRole('tabpanel').getByRole('heading', { name: 'Shop login' }).waitFor();
    await expect(page.getByRole('tab', { name: 'Credentials' }).getAttribute('aria-selected')).resolves.toBe('true');

    // By keyboard: ← goes back to Tasks, and the URL drops the tab.
    await page.getByRole('tab', { name: 'Credentials' }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('tabpanel').getByText('Late quote').waitFor();
    expect(urlParam(page, 'tab')).toBeNull();
    await expect(tasksTab.evaluate((tab) => tab === document.activeElement)).resolves.toBe(true);
    await page.context().close();
  });

  it('a link to a client that does not exist says so', async () => {
    const page = await web.signIn('user');
    await page.goto('/clients/00000000-0000-4000-8000-000000000000');
    await page.getByRole('heading', { name: 'Client not found', level: 1 }).waitFor();
    await page.context().close();
  });
});

describe('screenshots and accessibility', () => {
  it('the list (desktop and phone), the client page and the form have no serious accessibility problems', async () => {
    const shown = await make.client('manager', {
      name: 'Aurora Analytics',
      company: 'Aurora AB',
      tags: ['nordic', 'vip'],
    });
    await make.client('user', { name: 'Beacon Bakery', status: 'prospect', tags: ['retail'] });
    await make.client(null, { name: 'Cobalt Couriers', status: 'inactive' });
    await make.task(shown.id, { title: 'Quarterly review', dueIn: 1 });

    const page = await web.signIn('manager');
    await openFromNav(page, 'Clients');
    await expectListed(page, expect.arrayContaining(['Aurora Analytics', 'Beacon Bakery', 'Cobalt Couriers']));
    await expectAccessible(page, 'clients-list');

    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await dialog.getByText('is required').waitFor();
    await expectAccessible(page, 'client-form-errors');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Aurora Analytics' }).click();
    await page.getByRole('heading', { name: 'Aurora Analytics', level: 1 }).waitFor();
    await page.getByRole('tabpanel').getByText('Quarterly review').waitFor();
    await expectAccessible(page, 'client-detail');
    await page.context().close();

    const onPhone = await web.signIn('user', phone);
    await onPhone.goto('/clients?status=prospect');
    await expectListed(onPhone, ['Beacon Bakery']);
    await expectAccessible(onPhone, 'clients-list-phone');
    await onPhone.context().close();
  });

  it('pages through a long list with “Load more”, 50 rows at a time, none twice', async () => {
    await web.api.db.query(
      `INSERT INTO clients (name, tags) SELECT 'Bulk client ' || lpad(n::text, 3, '0'), '{bulk}' FROM generate_series(1, 120) n`,
    );
    const page = await web.signIn('user');
    await page.goto('/clients?tags=bulk&sort=-name');
    await page.getByText('Showing 50 of 120 clients').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing 100 of 120 clients').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing 120 of 120 clients').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    const names = await listedNames(page);
    const expected = Array.from({ length: 120 }, (_, i) => `Bulk client ${String(120 - i).padStart(3, '0')}`);
    expect(names).toEqual(expected);
    await page.context().close();
  });
});
