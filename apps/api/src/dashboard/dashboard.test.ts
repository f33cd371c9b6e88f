/** dashboard.summary: the caller's urgent tasks in their zone, clients by status, visible credential activity. */
import { ClientStatus } from '@mini-crm/models';
import { describe, expect, it } from 'vitest';
import { type AccountName, useTestApi } from '../../test/api.ts';
import { type CredentialValues, fixtures } from '../../test/fixtures.ts';

const api = useTestApi();

const make = fixtures(api);
const makeClient = (owner: AccountName | null, status = 'active') => make.client(owner, { status });

/** A task on the client assigned to `assignee`, due `dueIn` days from today in `zone` (null: no date). */
const makeTask = (
  clientId: string,
  assignee: AccountName | null,
  dueIn: number | null,
  options: { status?: string; zone?: string; title?: string } = {},
) => make.task(clientId, { assignee, dueIn, ...options });

/** A credential whose 'create' audit row names `by` (who, from where, with what). */
const makeCredential = (clientId: string, by: CredentialValues['by'] = {}, secret = 'dashboard-secret-value') =>
  make.credential(clientId, { by, secret });

const setTimezone = (name: AccountName, zone: string) =>
  api.db.query('UPDATE users SET timezone = $2 WHERE id = $1', [api.accounts[name].internalId, zone]);

const todayIn = async (zone: string) =>
  (await api.db.query<{ today: string }>(`SELECT (now() AT TIME ZONE $1)::date::text AS today`, [zone])).rows[0]?.today;

describe('dashboard.summary: my tasks', () => {
  it('lists the caller’s open overdue, due-today and due-soon tasks, earliest first, with totals', async () => {
    const user = await api.signIn('user');
    const client = await makeClient('otherUser');
    const overdue = [await makeTask(client.id, 'user', -10), await makeTask(client.id, 'user', -1)];
    const dueToday = [await makeTask(client.id, 'user', 0, { status: 'on_hold' })];
    const dueSoon = [
      await makeTask(client.id, 'user', 7, { status: 'in_progress' }),
      await makeTask(client.id, 'user', 1),
    ];
    // Not the caller's, not open, no due date, or more than 7 days away: none of these appear.
    await makeTask(client.id, 'otherUser', -1);
    await makeTask(client.id, null, 0);
    await makeTask(client.id, 'user', -2, { status: 'completed' });
    await makeTask(client.id, 'user', 0, { status: 'cancelled' });
    await makeTask(client.id, 'user', null);
    await makeTask(client.id, 'user', 8);

    const summary = await user.dashboard.summary.query();
    expect(summary.today).toBe(await todayIn('UTC'));
    expect(summary.timezone).toBe('UTC');
    const ids = (list: { items: { id: string }[] }) => list.items.map((item) => item.id);
    expect(ids(summary.myTasks.overdue)).toEqual(overdue);
    expect(ids(summary.myTasks.dueToday)).toEqual(dueToday);
    expect(ids(summary.myTasks.dueSoon)).toEqual(dueSoon.reverse());
    expect(summary.myTasks.overdue.total).toBe(2);
    expect(summary.myTasks.dueToday.total).toBe(1);
    expect(summary.myTasks.dueSoon.total).toBe(2);
    // Each item is the task as tasks.get returns it.
    expect(summary.myTasks.dueToday.items[0]).toEqual(await user.tasks.get.query({ id: dueToday[0] ?? '' }));
    expect(summary.myTasks.overdue.items.every((task) => task.urgency === 'overdue')).toBe(true);
  });

  it('shows at most 20 tasks of an urgency, and the full count', async () => {
    const manager = await api.signIn('manager');
    const client = await makeClient(null);
    for (let i = 0; i < 23; i++) await makeTask(client.id, 'manager', -1 - (i % 5));
    const { myTasks } = await manager.dashboard.summary.query();
    expect(myTasks.overdue.items).toHaveLength(20);
    expect(myTasks.overdue.total).toBe(23);
    const dates = myTasks.overdue.items.map((task) => task.dueDate ?? '');
    expect(dates).toEqual([...dates].sort());
    expect(myTasks.dueToday).toEqual({ items: [], total: 0, totalIsCapped: false });
  });

  it('measures "today" in the caller’s zone (UTC+14 and UTC-11)', async () => {
    const otherUser = await api.signIn('otherUser');
    const client = await makeClient(null);
    const kiritimati = await makeTask(client.id, 'otherUser', 0, { zone: 'Pacific/Kiritimati' });
    const pagoPago = await makeTask(client.id, 'otherUser', 0, { zone: 'Pacific/Pago_Pago' });
    // Where each of the two tasks shows up (otherUser may have other tasks from earlier tests).
    const placeOf = (summary: Awaited<ReturnType<typeof otherUser.dashboard.summary.query>>) =>
      Object.fromEntries(
        Object.entries(summary.myTasks).flatMap(([list, { items }]) =>
          items.filter((task) => task.id === kiritimati || task.id === pagoPago).map((task) => [task.id, list]),
        ),
      );
    try {
      await setTimezone('otherUser', 'Pacific/Kiritimati');
      let summary = await otherUser.dashboard.summary.query();
      expect(summary.today).toBe(await todayIn('Pacific/Kiritimati'));
      expect(summary.timezone).toBe('Pacific/Kiritimati');
      // Pago Pago's today is one or two days behind Kiritimati's: overdue there.
      expect(placeOf(summary)).toEqual({ [kiritimati]: 'dueToday', [pagoPago]: 'overdue' });

      await setTimezone('otherUser', 'Pacific/Pago_Pago');
      summary = await otherUser.dashboard.summary.query();
      expect(summary.today).toBe(await todayIn('Pacific/Pago_Pago'));
      expect(placeOf(summary)).toEqual({ [kiritimati]: 'dueSoon', [pagoPago]: 'dueToday' });
    } finally {
      await setTimezone('otherUser', 'UTC');
    }
  });
});

describe('dashboard.summary: clients by status', () => {
  it('counts every client per status, every status present', async () => {
    const user = await api.signIn('user');
    const before = (await user.dashboard.summary.query()).clientsByStatus;
    expect(Object.keys(before).sort()).toEqual([...ClientStatus.options].sort());
    await makeClient('otherUser', 'prospect');
    await makeClient(null, 'prospect');
    await makeClient('user', 'archived');
    const after = (await user.dashboard.summary.query()).clientsByStatus;
    expect(after).toEqual({ ...before, prospect: before.prospect + 2, archived: before.archived + 1 });

    const { rows } = await api.db.query<{ status: ClientStatus; count: number }>(
      'SELECT status, count(*)::int AS count FROM clients GROUP BY status',
    );
    const counted = Object.fromEntries(ClientStatus.options.map((status) => [status, 0]));
    for (const row of rows) counted[row.status] = row.count;
    expect(after).toEqual(counted);
  });
});

describe('dashboard.summary: recent credential activity', () => {
  it('shows a user only the activity on credentials of clients they own; staff see all of it', async () => {
    const own = await makeClient('user');
    const foreign = await makeClient('otherUser');
    const ownCredential = await makeCredential(own.id, {
      user: 'manager',
      ip: '203.0.113.9',
      userAgent: 'dashboard-test/1.0',
    });
    const foreignCredential = await makeCredential(foreign.id);

    const user = await api.signIn('user');
    const seen = (await user.dashboard.summary.query()).recentCredentialActivity;
    expect(seen.map((entry) => entry.credential.id)).toContain(ownCredential.id);
    expect(seen.map((entry) => entry.credential.id)).not.toContain(foreignCredential.id);
    expect(seen.every((entry) => entry.client.id !== foreign.id)).toBe(true);
    expect(seen.find((entry) => entry.credential.id === ownCredential.id)).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action: 'create',
      credential: { ...ownCredential, isDeleted: false },
      client: own,
      user: { id: api.accounts.manager.id, name: 'Test manager', email: api.accounts.manager.email },
      ipAddress: '203.0.113.9',
      userAgent: 'dashboard-test/1.0',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const otherUser = await api.signIn('otherUser');
    const theirs = (await otherUser.dashboard.summary.query()).recentCredentialActivity;
    expect(theirs.find((entry) => entry.credential.id === foreignCredential.id)).toMatchObject({
      action: 'create',
      user: null,
      ipAddress: null,
      userAgent: null,
    });
    expect(theirs.map((entry) => entry.credential.id)).not.toContain(ownCredential.id);

    for (const name of ['admin', 'manager'] as const) {
      const staff = await api.signIn(name);
      const all = (await staff.dashboard.summary.query()).recentCredentialActivity.map((entry) => entry.credential.id);
      expect(all).toEqual(expect.arrayContaining([ownCredential.id, foreignCredential.id]));
    }
  });

  it('holds the 10 newest entries, newest first, deleted credentials included, and never a secret', async () => {
    const client = await makeClient('user');
    const made = [];
    for (let i = 0; i < 11; i++) made.push(await makeCredential(client.id, {}, `top-secret-${i}`));
    // Soft-deleting the newest one logs a 'delete' on top of its 'create'.
    await api.db.query('UPDATE credentials SET deleted_at = now() WHERE uuid = $1', [made[10]?.id]);

    const user = await api.signIn('user');
    const summary = await user.dashboard.summary.query();
    const activity = summary.recentCredentialActivity;
    expect(activity).toHaveLength(10);
    expect(activity.map((entry) => entry.action)).toEqual(['delete', ...Array(9).fill('create')]);
    expect(activity[0]?.credential).toEqual({ ...made[10], isDeleted: true });
    expect(activity.slice(1).map((entry) => entry.credential.id)).toEqual(
      made
        .slice(2)
        .reverse()
        .map((credential) => credential.id),
    );
    const times = activity.map((entry) => entry.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const text = JSON.stringify(summary);
    expect(text).not.toContain('top-secret');
    expect(text).not.toMatch(/encrypted|\\x[0-9a-f]{8}/i);
  });

  it('refuses a caller without a session', async () => {
    await expect(api.anonymous().dashboard.summary.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
