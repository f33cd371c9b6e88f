/** tasks.list: keyset pages that visit every task once, each filter, and urgency in the caller's zone. */
import type { TaskListInput } from '@mini-crm/models';
import { describe, expect, it } from 'vitest';
import { type AccountName, useTestApi } from '../../test/api.ts';
import { fixtures, type TaskValues } from '../../test/fixtures.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();

const make = fixtures(api);
const makeClient = async (owner: AccountName | null = null) => (await make.client(owner)).id;

type Seed = TaskValues & { title: string };

/** Makes the tasks on the client in SQL; returns their uuids in the same order. */
async function seed(clientId: string, tasks: Seed[]) {
  const ids: string[] = [];
  for (const task of tasks) ids.push(await make.task(clientId, task));
  return ids;
}

/** Follows nextCursor to the end; returns every item and the total each page reported. */
async function walk(caller: CrmClient, input: TaskListInput, limit: number) {
  const items = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Awaited<ReturnType<CrmClient['tasks']['list']['query']>> = await caller.tasks.list.query({
      ...input,
      cursor,
      limit,
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    totals.add(page.total);
    cursor = page.nextCursor;
    if (!cursor) return { items, totals: [...totals] };
  }
  throw new Error('pagination did not end');
}

const titles = async (caller: CrmClient, input: TaskListInput) =>
  (await walk(caller, input, 100)).items.map((item) => item.title).sort();

const setTimezone = (name: AccountName, zone: string) =>
  api.db.query('UPDATE users SET timezone = $2 WHERE id = $1', [api.accounts[name].internalId, zone]);

describe('tasks.list pagination', () => {
  it('visits every task exactly once in due-date order, ties and tasks without a due date included', async () => {
    const user = await api.signIn('user');
    const clientId = await makeClient('otherUser');
    const dates = ['2030-01-01', '2030-01-01', '2030-01-01', '2030-01-02', '2030-01-02', '2029-12-31', '2031-05-05'];
    await seed(clientId, [
      ...dates.map((dueDate, i) => ({ title: `Dated ${i}`, dueDate })),
      ...[1, 2, 3, 4].map((i) => ({ title: `Undated ${i}`, dueDate: null })),
    ]);
    const { rows } = await api.db.query<{ uuid: string }>(
      `SELECT t.uuid FROM tasks t JOIN clients c ON c.id = t.client_id WHERE c.uuid = $1
       ORDER BY t.due_date ASC NULLS LAST, t.uuid ASC`,
      [clientId],
    );
    const expected = rows.map((row) => row.uuid);
    expect(expected).toHaveLength(11);

    for (const limit of [1, 2, 3, 4, 10, 11, 12]) {
      const { items, totals } = await walk(user, { clientId }, limit);
      expect(items.map((item) => item.id)).toEqual(expected);
      expect(totals).toEqual([11]);
    }
    const { items } = await walk(user, { clientId }, 5);
    expect(items.map((item) => item.dueDate)).toEqual([...dates.sort(), null, null, null, null]);
  });

  it('ends with a null cursor when the last page is exactly full', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient();
    await seed(clientId, [{ title: 'One' }, { title: 'Two' }]);
    const page = await admin.tasks.list.query({ clientId, limit: 2 });
    expect(page).toMatchObject({ nextCursor: null, total: 2 });
    expect(page.items).toHaveLength(2);
  });

  it('refuses a tampered cursor and a page size out of range', async () => {
    const admin = await api.signIn('admin');
    for (const cursor of ['garbage', Buffer.from('["2030-01-01","not-a-uuid"]').toString('base64url')]) {
      await expect(admin.tasks.list.query({ cursor })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    }
    for (const limit of [0, 101, 2.5]) {
      await expect(admin.tasks.list.query({ limit })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { limit: expect.any(Array) } },
      });
    }
  });

  it('lists every task for every role, with the shape of tasks.get', async () => {
    const user = await api.signIn('user');
    const clientId = await makeClient('otherUser');
    const [id = ''] = await seed(clientId, [{ title: 'Visible to all', assignee: 'manager', dueDate: '2040-04-04' }]);
    const { items } = await user.tasks.list.query({ clientId });
    expect(items).toEqual([await user.tasks.get.query({ id })]);
    const { rows } = await api.db.query<{ count: number }>('SELECT count(*)::int AS count FROM tasks');
    expect((await user.tasks.list.query({})).total).toBe(rows[0]?.count);
  });
});

describe('tasks.list filters', () => {
  it('filters by status, priority, openness, assignee and due-date range, combined with AND', async () => {
    const manager = await api.signIn('manager');
    const clientId = await makeClient('user');
    await seed(clientId, [
      { title: 'A', status: 'pending', priority: 'high', dueDate: '2030-03-01', assignee: 'user' },
      { title: 'B', status: 'in_progress', priority: 'low', dueDate: '2030-03-15', assignee: 'otherUser' },
      { title: 'C', status: 'completed', priority: 'high', dueDate: '2030-03-31' },
      { title: 'D', status: 'cancelled', priority: 'urgent', dueDate: null, assignee: 'user' },
      { title: 'E', status: 'on_hold', priority: 'medium', dueDate: '2030-04-01' },
    ]);
    expect(await titles(manager, { clientId, status: 'completed' })).toEqual(['C']);
    expect(await titles(manager, { clientId, priority: 'high' })).toEqual(['A', 'C']);
    expect(await titles(manager, { clientId, isOpen: true })).toEqual(['A', 'B', 'E']);
    expect(await titles(manager, { clientId, isOpen: false })).toEqual(['C', 'D']);
    expect(await titles(manager, { clientId, assigneeId: api.accounts.user.id })).toEqual(['A', 'D']);
    expect(await titles(manager, { clientId, dueFrom: '2030-03-15' })).toEqual(['B', 'C', 'E']);
    expect(await titles(manager, { clientId, dueTo: '2030-03-15' })).toEqual(['A', 'B']);
    expect(await titles(manager, { clientId, dueFrom: '2030-03-15', dueTo: '2030-03-31' })).toEqual(['B', 'C']);
    expect(await titles(manager, { clientId, priority: 'high', isOpen: true })).toEqual(['A']);
    expect((await manager.tasks.list.query({ clientId, priority: 'high' })).total).toBe(2);
    // Filters that match nothing, and an unknown client, give an empty page rather than an error.
    expect(await manager.tasks.list.query({ clientId: '00000000-0000-4000-8000-000000000000' })).toEqual({
      items: [],
      nextCursor: null,
      total: 0,
      totalIsCapped: false,
    });
  });

  it('refuses a due-date range that ends before it starts, and bad filter values', async () => {
    const manager = await api.signIn('manager');
    await expect(manager.tasks.list.query({ dueFrom: '2030-02-01', dueTo: '2030-01-31' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { dueTo: ['must not be before dueFrom'] } },
    });
    const bad: [string, TaskListInput][] = [
      ['dueFrom', { dueFrom: '2030-13-01' }],
      ['status', { status: 'open' as never }],
      ['urgency', { urgency: 'later' as never }],
      ['assigneeId', { assigneeId: 'me' }],
      ['search', { search: 'a\u0000b' }],
    ];
    for (const [field, input] of bad) {
      await expect(manager.tasks.list.query(input)).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
      });
    }
  });

  it('searches title and description in any letter case, with % and _ taken literally', async () => {
    const user = await api.signIn('user');
    const clientId = await makeClient();
    await seed(clientId, [
      { title: 'Offer 50% off', description: null },
      { title: 'Offer 50 percent off' },
      { title: 'Check snake_case', description: 'columns' },
      { title: 'Check snakeXcase' },
      { title: 'Plain', description: 'Mentions the INVOICE twice' },
      { title: 'Back\\slash' },
    ]);
    expect(await titles(user, { clientId, search: '50%' })).toEqual(['Offer 50% off']);
    expect(await titles(user, { clientId, search: 'snake_' })).toEqual(['Check snake_case']);
    expect(await titles(user, { clientId, search: '  invoice ' })).toEqual(['Plain']);
    expect(await titles(user, { clientId, search: 'OFFER' })).toEqual(['Offer 50 percent off', 'Offer 50% off']);
    expect(await titles(user, { clientId, search: 'k\\s' })).toEqual(['Back\\slash']);
    // A blank search box means no filter.
    expect((await user.tasks.list.query({ clientId, search: '   ' })).total).toBe(6);
  });

  it('searches one or two characters as the start of the title or description (an index serves both)', async () => {
    const user = await api.signIn('user');
    const clientId = await makeClient();
    await seed(clientId, [
      { title: 'Qa the release', description: null },
      { title: 'Nothing here', description: 'qa notes' },
      { title: 'Iraq qa trip', description: 'inside only' }, // q and qa inside, not at the start
    ]);
    expect(await titles(user, { clientId, search: 'Q' })).toEqual(['Nothing here', 'Qa the release']);
    expect(await titles(user, { clientId, search: 'qA' })).toEqual(['Nothing here', 'Qa the release']);
    // From three characters on, anywhere.
    expect(await titles(user, { clientId, search: 'raq' })).toEqual(['Iraq qa trip']);
  });
});

describe('tasks.list urgency', () => {
  /** Open tasks due yesterday, today, in 1 and 7 days (due soon), in 8 days, none; and closed ones. */
  const urgencySeeds = (zone: string): Seed[] => [
    { title: 'yesterday', dueIn: -1, zone },
    { title: 'today', dueIn: 0, zone },
    { title: 'today on hold', dueIn: 0, zone, status: 'on_hold' },
    { title: 'tomorrow', dueIn: 1, zone },
    { title: 'in 7 days', dueIn: 7, zone, status: 'in_progress' },
    { title: 'in 8 days', dueIn: 8, zone },
    { title: 'no date', dueDate: null },
    { title: 'completed late', dueIn: -3, zone, status: 'completed' },
    { title: 'cancelled today', dueIn: 0, zone, status: 'cancelled' },
  ];

  const expected = {
    overdue: ['yesterday'],
    due_today: ['today', 'today on hold'],
    due_soon: ['in 7 days', 'tomorrow'],
    normal: ['cancelled today', 'completed late', 'in 8 days', 'no date'],
  };

  it('filters by urgency, and each item’s urgency agrees with the filter', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient();
    await seed(clientId, urgencySeeds('UTC'));
    for (const [urgency, names] of Object.entries(expected) as [keyof typeof expected, string[]][]) {
      const { items, totals } = await walk(admin, { clientId, urgency }, 2);
      expect(items.map((item) => item.title).sort()).toEqual(names);
      expect(items.every((item) => item.urgency === urgency)).toBe(true);
      expect(totals).toEqual([names.length]);
    }
  });

  it('measures "today" in the caller’s time zone, UTC+14 and UTC-11 alike', async () => {
    const user = await api.signIn('user');
    const [kiritimatiClient, pagoClient] = [await makeClient(), await makeClient()];
    await seed(kiritimatiClient, urgencySeeds('Pacific/Kiritimati'));
    await seed(pagoClient, urgencySeeds('Pacific/Pago_Pago'));
    try {
      await setTimezone('user', 'Pacific/Kiritimati');
      for (const [urgency, names] of Object.entries(expected) as [keyof typeof expected, string[]][]) {
        expect(await titles(user, { clientId: kiritimatiClient, urgency })).toEqual(names);
      }
      // Kiritimati's today is 1–2 days after Pago Pago's, so Pago Pago's today is already overdue there.
      const overdueThere = await titles(user, { clientId: pagoClient, urgency: 'overdue' });
      expect(overdueThere).toEqual(expect.arrayContaining(['today', 'today on hold', 'yesterday']));
      expect(overdueThere).not.toContain('in 7 days');

      await setTimezone('user', 'Pacific/Pago_Pago');
      for (const [urgency, names] of Object.entries(expected) as [keyof typeof expected, string[]][]) {
        expect(await titles(user, { clientId: pagoClient, urgency })).toEqual(names);
      }
      const [today] = (await user.tasks.list.query({ clientId: kiritimatiClient, search: 'today on hold' })).items;
      expect(today).toMatchObject({ urgency: 'due_soon', isOpen: true });
    } finally {
      await setTimezone('user', 'UTC');
    }
  });
});
