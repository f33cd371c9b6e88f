/**
 * The task screens in Chromium against the real API: create through the form and find the task
 * on the dashboard, inline status, filters in the URL, the form's messages, the shareable task page
 * and what a `user` may and may not do there.
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { describedText, expectAccessible, openFromNav, requestsTo, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

const taskCount = () => web.countRows('tasks');
const taskRow = async (id: string) =>
  (
    await web.api.db.query<{ title: string; status: string; priority: string; due_date: string | null }>(
      'SELECT title, status, priority, due_date::text FROM tasks WHERE uuid = $1',
      [id],
    )
  ).rows[0];
const setTimezone = (zone: string) =>
  web.api.db.query('UPDATE users SET timezone = $2 WHERE id = $1', [web.api.accounts.user.internalId, zone]);
const todayIn = async (zone: string) =>
  (await web.api.db.query<{ today: string }>('SELECT (now() AT TIME ZONE $1)::date::text AS today', [zone])).rows[0]
    ?.today ?? '';

/** Picks a client in the "Client" combobox (of the page or a dialog) by typing its name, as a user would. */
async function pickClient(scope: Page | Locator, name: string) {
  const combobox = scope.getByRole('combobox', { name: 'Client' });
  await combobox.fill(name);
  await scope.getByRole('option', { name }).click();
  await expect(combobox.inputValue()).resolves.toBe(name);
}

describe('creating a task', () => {
  it('a task due today (in the user’s zone) made through the form shows under "Due today" on the dashboard', async () => {
    // UTC+14: for most of the day its date is not the machine's nor UTC's, so "today" must be the user's.
    const zone = 'Pacific/Kiritimati';
    await setTimezone(zone);
    try {
      const client = await make.client('user', { name: `Kiritimati Traders ${Date.now()}` });
      const page = await web.signIn('user');
      await openFromNav(page, 'Tasks');
      await page.getByRole('button', { name: 'New task' }).click();
      const dialog = page.getByRole('dialog', { name: 'New task' });
      await dialog.getByLabel('Title').fill('Call about the renewal');
      await pickClient(dialog, client.name);
      await dialog.getByLabel('Due date').fill(await todayIn(zone));
      await dialog.getByLabel('Priority').selectOption('high');
      // Assignee defaults to the signed-in user.
      await expect.poll(() => dialog.getByLabel('Assignee').inputValue()).toBe(web.api.accounts.user.id);
      await dialog.getByRole('button', { name: 'Create task' }).click();
      await dialog.waitFor({ state: 'detached' });

      const { rows } = await web.api.db.query<{ due_date: string; assigned_user_id: number }>(
        `SELECT t.due_date::text, t.assigned_user_id FROM tasks t JOIN clients c ON c.id = t.client_id
         WHERE c.uuid = $1 AND t.title = 'Call about the renewal'`,
        [client.id],
      );
      expect(rows).toEqual([{ due_date: await todayIn(zone), assigned_user_id: web.api.accounts.user.internalId }]);

      await openFromNav(page, 'Dashboard');
      const dueToday = page.getByRole('region', { name: 'Due today', exact: true });
      await dueToday.getByRole('link', { name: 'Call about the renewal' }).waitFor();
      await expect(dueToday.textContent()).resolves.toContain('due today');
      await page.context().close();
    } finally {
      await setTimezone('UTC');
    }
  });

  it('a task due three days ago reads "3 days overdue" on the dashboard and in the task list', async () => {
    const client = await make.client('otherUser');
    await make.task(client.id, { assignee: 'user', dueIn: -3, title: 'Send the overdue invoice' });
    const page = await web.signIn('user');
    const overdue = page.getByRole('region', { name: 'Overdue', exact: true });
    const item = overdue.getByRole('listitem').filter({ hasText: 'Send the overdue invoice' });
    await expect(item.textContent()).resolves.toContain('3 days overdue');

    await overdue.getByRole('link', { name: /All my overdue tasks/ }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ urgency: 'overdue', assignee: web.api.accounts.user.id });
    const row = page.getByRole('row').filter({ hasText: 'Send the overdue invoice' });
    await expect(row.textContent()).resolves.toContain('3 days overdue');
    await page.context().close();
  });

  it('bad input shows the field’s message and saves nothing', async () => {
    const client = await make.client('user');
    const page = await web.signIn('user');
    await page.goto('/tasks');
    await page.getByRole('button', { name: 'New task' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    const before = await taskCount();
    const createRequests = requestsTo(page, 'tasks.create');

    // No title, no client: both messages, under their fields, nothing sent.
    await dialog.getByLabel('Title').fill('   ');
    await dialog.getByLabel('Title').press('Enter');
    await expect(dialog.getByRole('alert').first().textContent()).resolves.toBe('Please correct the marked fields.');
    await expect(describedText(dialog.getByLabel('Title'))).resolves.toBe('is required');
    await expect(describedText(dialog.getByRole('combobox', { name: 'Client' }))).resolves.toContain(
      'choose a client from the list',
    );
    // A date outside the range the tasks table accepts: the shared schema says so before sending.
    await dialog.getByLabel('Title').fill('Plan the year 1999');
    // The client by keyboard: type, ↓ to the suggestion, Enter picks it (and does not submit).
    const combobox = dialog.getByRole('combobox', { name: 'Client' });
    await combobox.fill(client.name.slice(0, -2));
    await dialog.getByRole('option', { name: client.name }).waitFor();
    await expectAccessible(page, 'task-form-client-picker');
    // Esc closes the suggestions, not the dialog; ↓ opens them again, ↓ again moves to the first.
    await combobox.press('Escape');
    await expect(combobox.getAttribute('aria-expanded')).resolves.toBe('false');
    expect(await dialog.isVisible()).toBe(true);
    await combobox.press('ArrowDown');
    await combobox.press('ArrowDown');
    await expect(combobox.getAttribute('aria-activedescendant')).resolves.toBeTruthy();
    await combobox.press('Enter');
    await expect(combobox.inputValue()).resolves.toBe(client.name);
    await expect(combobox.getAttribute('aria-expanded')).resolves.toBe('false');
    await dialog.getByLabel('Due date').fill('1999-12-31');
    await dialog.getByRole('button', { name: 'Create task' }).click();
    await expect(describedText(dialog.getByLabel('Due date'))).resolves.toContain('2000-01-01');
    expect(createRequests).toEqual([]);
    expect(await taskCount()).toBe(before);
    // What was typed stays.
    await expect(dialog.getByLabel('Title').inputValue()).resolves.toBe('Plan the year 1999');
    await page.context().close();
  });
});

describe('the task list', () => {
  it('changes a task’s status inline, and the change is saved', async () => {
    const client = await make.client('otherUser');
    const id = await make.task(client.id, { assignee: 'user', dueIn: 2, title: 'Inline status task' });
    const page = await web.signIn('user');
    await page.goto(`/tasks?client=${client.id}`);
    const status = page.getByLabel('Status of Inline status task');
    await expect(status.inputValue()).resolves.toBe('pending');
    await status.selectOption('in_progress');
    await expect.poll(async () => (await taskRow(id))?.status).toBe('in_progress');
    await page.reload();
    await expect(page.getByLabel('Status of Inline status task').inputValue()).resolves.toBe('in_progress');
    await page.context().close();
  });

  it('keeps its filters in the URL: a reload shows the same filtered list', async () => {
    const client = await make.client('manager', { name: `Filter Works ${Date.now()}` });
    await make.task(client.id, { assignee: 'manager', dueIn: -1, priority: 'urgent', title: 'Urgent and late' });
    await make.task(client.id, { assignee: 'manager', dueIn: -1, priority: 'low', title: 'Low and late' });
    await make.task(client.id, { assignee: 'manager', dueIn: 5, priority: 'urgent', title: 'Urgent but later' });
    const page = await web.signIn('manager');
    await page.goto('/tasks');
    await page.getByLabel('Urgency').selectOption('overdue');
    await page.getByLabel('Priority').selectOption('urgent');
    await pickClient(page, client.name);
    const rows = page.getByRole('table', { name: 'Tasks' }).getByRole('row');
    const titles = async () => (await rows.getByRole('link').allTextContents()).filter((text) => text !== client.name);
    await expect.poll(titles).toEqual(['Urgent and late']);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      urgency: 'overdue',
      priority: 'urgent',
      client: client.id,
    });

    await page.reload();
    await expect.poll(titles).toEqual(['Urgent and late']);
    await expect(page.getByLabel('Urgency').inputValue()).resolves.toBe('overdue');
    await expect(page.getByLabel('Priority').inputValue()).resolves.toBe('urgent');
    await expect.poll(() => page.getByRole('combobox', { name: 'Client' }).inputValue()).toBe(client.name);
    await expect(page.getByText('Showing 1 of 1 tasks').isVisible()).resolves.toBe(true);

    // Search as you type goes to the URL too.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search').fill('low and');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('low and');
    await expect.poll(titles).toEqual(['Low and late']);
    await expectAccessible(page, 'tasks-list');
    await page.context().close();
  });
});

describe('paging', () => {
  it('loads the next page of tasks with "Load more", keyset-style, without repeats', async () => {
    const client = await make.client('manager');
    for (let day = 1; day <= 30; day++) await make.task(client.id, { dueIn: day, title: `Paged task ${day}` });
    const page = await web.signIn('manager');
    await page.goto(`/tasks?client=${client.id}`);
    await page.getByText('Showing 25 of 30 tasks').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing 30 of 30 tasks').waitFor();
    const titles = await page
      .getByRole('table', { name: 'Tasks' })
      .getByRole('link', { name: /^Paged task/ })
      .allTextContents();
    expect(titles).toEqual(Array.from({ length: 30 }, (_, i) => `Paged task ${i + 1}`));
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await page.context().close();
  });
});

describe('a client’s Tasks tab', () => {
  it('lists the client’s open tasks and adds one with the client preset; only for those who may', async () => {
    const own = await make.client('user', { name: `Own Client ${Date.now()}` });
    await make.task(own.id, { title: 'Already open', dueIn: 4 });
    await make.task(own.id, { title: 'Long done', status: 'completed', dueIn: -4 });
    const page = await web.signIn('user');
    await page.goto(`/clients/${own.id}`);
    const panel = page.getByRole('tabpanel');
    const links = () => panel.getByRole('table').getByRole('link').allTextContents();
    await expect.poll(links).toEqual(['Already open']);

    await panel.getByRole('button', { name: 'New task' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    await expect(dialog.getByRole('combobox', { name: 'Client' }).inputValue()).resolves.toBe(own.name);
    await dialog.getByLabel('Title').fill('Added from the tab');
    await dialog.getByLabel('Title').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(links).toEqual(['Already open', 'Added from the tab']);
    // The client's figures follow.
    await expect
      .poll(() => page.getByRole('list', { name: 'Figures' }).getByRole('listitem').first().textContent())
      .toBe('3 tasks');

    await panel.getByLabel('Show').selectOption('all');
    await expect.poll(links).toEqual(['Long done', 'Already open', 'Added from the tab']);

    // Someone else's client: its tasks, but no New task.
    const foreign = await make.client('otherUser');
    await make.task(foreign.id, { title: 'Their task', dueIn: 1 });
    await page.goto(`/clients/${foreign.id}`);
    await page.getByRole('tabpanel').getByRole('link', { name: 'Their task' }).waitFor();
    expect(await page.getByRole('button', { name: 'New task' }).count()).toBe(0);
    await page.context().close();
  });
});

describe('a task’s own page', () => {
  it('shows the task at its URL and saves an edit', async () => {
    const client = await make.client('user', { name: `Edit Me Ltd ${Date.now()}` });
    const id = await make.task(client.id, { assignee: 'user', dueIn: 1, title: 'Draft the proposal' });
    const other = await make.client('user', { name: `Second Client ${Date.now()}` });
    const page = await web.signIn('user');
    await page.goto(`/tasks/${id}`);
    await page.getByRole('heading', { name: 'Draft the proposal', level: 1 }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.textContent()).resolves.toContain('tomorrow');
    await expect(details.getByRole('link', { name: client.name }).getAttribute('href')).resolves.toBe(
      `/clients/${client.id}`,
    );

    const form = page.getByRole('form', { name: 'Edit task' });
    await form.getByLabel('Title').fill('Draft and send the proposal');
    // Move it to another client of the user's: typing over the chosen name keeps what is typed.
    const clientBox = form.getByRole('combobox', { name: 'Client' });
    await clientBox.fill('Second Cl');
    await form.getByRole('option', { name: other.name }).waitFor();
    await expect(clientBox.inputValue()).resolves.toBe('Second Cl');
    await pickClient(form, other.name);
    await form.getByLabel('Due date').fill('2030-01-15');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Draft and send the proposal', level: 1 }).waitFor();
    expect(await taskRow(id)).toMatchObject({ title: 'Draft and send the proposal', due_date: '2030-01-15' });
    await page.getByRole('region', { name: 'Details' }).getByRole('link', { name: other.name }).waitFor();
    await expectAccessible(page, 'task-page');
    await page.context().close();
  });

  it('offers a user Delete only on tasks of clients they own, and deletes', async () => {
    const own = await make.client('user');
    const foreign = await make.client('otherUser');
    const ownTask = await make.task(own.id, { title: 'Mine to delete' });
    const assignedTask = await make.task(foreign.id, { assignee: 'user', title: 'Assigned to me only' });
    const otherTask = await make.task(foreign.id, { assignee: 'otherUser', title: 'Not mine at all' });
    const page = await web.signIn('user');

    // Assigned, on someone else's client: may edit, may not delete.
    await page.goto(`/tasks/${assignedTask}`);
    await page.getByRole('heading', { name: 'Assigned to me only' }).waitFor();
    await page.getByRole('form', { name: 'Edit task' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete task' }).count()).toBe(0);

    // Neither: read only.
    await page.goto(`/tasks/${otherTask}`);
    await page.getByRole('heading', { name: 'Not mine at all' }).waitFor();
    await page.getByText('Only the task’s assignee').waitFor();
    expect(await page.getByRole('form', { name: 'Edit task' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /Status of/ }).count()).toBe(0);

    // On a client they own: Delete, confirmed.
    await page.goto(`/tasks/${ownTask}`);
    await page.getByRole('button', { name: 'Delete task' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this task?' });
    await confirm.getByRole('button', { name: 'Delete task' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    expect(await taskRow(ownTask)).toBeUndefined();
    await page.context().close();
  });

  it('an unknown task says so in words', async () => {
    const page = await web.signIn('user');
    await page.goto('/tasks/00000000-0000-4000-8000-000000000000');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not found/i);
    await page.context().close();
  });
});
