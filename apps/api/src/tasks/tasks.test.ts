/** tasks.get / create / update / setStatus / delete: shapes, role rules, refusals that change nothing. */
import { describe, expect, it } from 'vitest';
import { type AccountName, useTestApi } from '../../test/api.ts';
import { fixtures } from '../../test/fixtures.ts';

const api = useTestApi();

const unknownId = '00000000-0000-4000-8000-000000000000';

/** Clients and tasks made in SQL: the clients router is not under test here. */
const make = fixtures(api);
const makeClient = async (owner: AccountName | null, company: string | null = null) =>
  (await make.client(owner, { company })).id;
const makeTask = (clientId: string, assignee: AccountName | null = null) => make.task(clientId, { assignee });

/** Everything about the tasks table a refused request must leave as it was. */
const tasksTable = async () =>
  (
    await api.db.query(
      `SELECT uuid, client_id, title, description, status, priority, due_date::text, assigned_user_id, updated_at
       FROM tasks ORDER BY id`,
    )
  ).rows;

const personOf = (name: AccountName) => ({
  id: api.accounts[name].id,
  name: `Test ${name}`,
  email: api.accounts[name].email,
});

const clientOf = async (uuid: string) => {
  const { rows } = await api.db.query<{ name: string; company: string | null }>(
    'SELECT name, company FROM clients WHERE uuid = $1',
    [uuid],
  );
  return { id: uuid, name: rows[0]?.name, company: rows[0]?.company ?? null };
};

const badRequestOn = (field: string) => ({
  data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
});

/** The `deactivated` account is active until something deactivates it: make sure it is inactive. */
const deactivate = () =>
  api.db.query('UPDATE users SET is_active = false WHERE id = $1', [api.accounts.deactivated.internalId]);

describe('tasks.create', () => {
  it('lets a manager create a task on anyone’s client, normalising its fields', async () => {
    const manager = await api.signIn('manager');
    const clientId = await makeClient('otherUser', 'Acme GmbH');
    const task = await manager.tasks.create.mutate({
      clientId: clientId.toUpperCase(),
      title: '  Renew the contract ',
      description: '   ',
      status: 'in_progress',
      priority: 'high',
      dueDate: '2099-12-31',
      assigneeId: api.accounts.user.id.toUpperCase(),
    });
    expect(task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Renew the contract',
      description: null,
      status: 'in_progress',
      priority: 'high',
      dueDate: '2099-12-31',
      isOpen: true,
      urgency: 'normal',
      clientId,
      client: await clientOf(clientId),
      assigneeId: api.accounts.user.id,
      assignee: personOf('user'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(await manager.tasks.get.query({ id: task.id })).toEqual(task);
  });

  it('lets a user add a task to a client they own, with defaults', async () => {
    const user = await api.signIn('user');
    const clientId = await makeClient('user');
    const task = await user.tasks.create.mutate({ clientId, title: 'Call back' });
    expect(task).toMatchObject({
      title: 'Call back',
      description: null,
      status: 'pending',
      priority: 'medium',
      dueDate: null,
      isOpen: true,
      urgency: 'normal',
      clientId,
      assigneeId: null,
      assignee: null,
    });
  });

  it('refuses a user a task on a client they do not own, and writes nothing', async () => {
    const user = await api.signIn('user');
    const foreign = await makeClient('otherUser');
    const unowned = await makeClient(null);
    const before = await tasksTable();
    for (const clientId of [foreign, unowned]) {
      await expect(user.tasks.create.mutate({ clientId, title: 'Sneaky' })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN', fieldErrors: { clientId: expect.any(Array) } },
      });
    }
    expect(await tasksTable()).toEqual(before);
  });

  it('answers NOT_FOUND naming clientId for an unknown client', async () => {
    const admin = await api.signIn('admin');
    const before = await tasksTable();
    await expect(admin.tasks.create.mutate({ clientId: unknownId, title: 'Orphan' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', fieldErrors: { clientId: ['is not a client'] } },
    });
    expect(await tasksTable()).toEqual(before);
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient('user');
    await deactivate();
    const before = await tasksTable();
    const valid = { clientId, title: 'Valid title' };
    await expect(admin.tasks.create.mutate({ ...valid, title: ' \t ' })).rejects.toMatchObject({
      message: 'title: is required',
      data: { code: 'BAD_REQUEST', fieldErrors: { title: ['is required'] } },
    });
    await expect(admin.tasks.create.mutate({ ...valid, title: 'x'.repeat(256) })).rejects.toMatchObject(
      badRequestOn('title'),
    );
    for (const dueDate of ['2101-01-01', '1999-12-31', '2024-02-30', '31.12.2030', '2030-01-01T10:00:00Z']) {
      await expect(admin.tasks.create.mutate({ ...valid, dueDate })).rejects.toMatchObject(badRequestOn('dueDate'));
    }
    await expect(admin.tasks.create.mutate({ ...valid, status: 'done' as never })).rejects.toMatchObject(
      badRequestOn('status'),
    );
    await expect(admin.tasks.create.mutate({ ...valid, priority: 'asap' as never })).rejects.toMatchObject(
      badRequestOn('priority'),
    );
    await expect(admin.tasks.create.mutate({ ...valid, clientId: 'not-a-uuid' })).rejects.toMatchObject(
      badRequestOn('clientId'),
    );
    for (const [assigneeId, message] of [
      [unknownId, 'assigneeId: is not a user'],
      [api.accounts.deactivated.id, 'assigneeId: is not an active user'],
    ] as const) {
      await expect(admin.tasks.create.mutate({ ...valid, assigneeId })).rejects.toMatchObject({
        message,
        ...badRequestOn('assigneeId'),
      });
    }
    expect(await tasksTable()).toEqual(before);
  });

  it('accepts the edge dates of the allowed range', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient(null);
    const first = await admin.tasks.create.mutate({
      clientId,
      title: 'First',
      dueDate: '2000-01-01',
      status: 'completed',
    });
    const last = await admin.tasks.create.mutate({ clientId, title: 'Last', dueDate: '2100-12-31' });
    expect([first.dueDate, last.dueDate]).toEqual(['2000-01-01', '2100-12-31']);
    // A completed task is never overdue, however old its due date.
    expect(first).toMatchObject({ isOpen: false, urgency: 'normal' });
  });
});

describe('tasks.get', () => {
  it('lets every role read any task', async () => {
    const taskId = await makeTask(await makeClient('otherUser'), 'manager');
    for (const name of ['admin', 'manager', 'user'] as const) {
      const caller = await api.signIn(name);
      expect(await caller.tasks.get.query({ id: taskId })).toMatchObject({ id: taskId, assignee: personOf('manager') });
    }
  });

  it('answers NOT_FOUND for an unknown task and BAD_REQUEST for a malformed id', async () => {
    const user = await api.signIn('user');
    await expect(user.tasks.get.query({ id: unknownId })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(user.tasks.get.query({ id: '42' })).rejects.toMatchObject(badRequestOn('id'));
  });

  it('refuses a caller without a session', async () => {
    const taskId = await makeTask(await makeClient(null));
    await expect(api.anonymous().tasks.get.query({ id: taskId })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });
});

describe('tasks.update', () => {
  it('changes only the fields present; null clears description, due date and assignee', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient('user');
    const created = await admin.tasks.create.mutate({
      clientId,
      title: 'Draft the offer',
      description: 'Two options',
      priority: 'low',
      dueDate: '2099-06-01',
      assigneeId: api.accounts.manager.id,
    });
    const renamed = await admin.tasks.update.mutate({ id: created.id, title: 'Send the offer', priority: 'urgent' });
    expect(renamed).toEqual({
      ...created,
      title: 'Send the offer',
      priority: 'urgent',
      updatedAt: expect.any(String),
    });
    const cleared = await admin.tasks.update.mutate({
      id: created.id,
      description: null,
      dueDate: null,
      assigneeId: null,
    });
    expect(cleared).toMatchObject({
      title: 'Send the offer',
      description: null,
      dueDate: null,
      assigneeId: null,
      assignee: null,
    });
    expect(await admin.tasks.get.query({ id: created.id })).toEqual(cleared);
  });

  it('moves a task to another client and reassigns it', async () => {
    const manager = await api.signIn('manager');
    const from = await makeClient('user');
    const to = await makeClient('otherUser', 'Beta AG');
    const taskId = await makeTask(from, 'user');
    const moved = await manager.tasks.update.mutate({
      id: taskId,
      clientId: to,
      assigneeId: api.accounts.otherUser.id,
    });
    expect(moved).toMatchObject({
      clientId: to,
      client: await clientOf(to),
      assigneeId: api.accounts.otherUser.id,
      assignee: personOf('otherUser'),
    });
  });

  it('writes nothing for an update without changes', async () => {
    const admin = await api.signIn('admin');
    const taskId = await makeTask(await makeClient(null));
    const before = await tasksTable();
    const task = await admin.tasks.get.query({ id: taskId });
    expect(await admin.tasks.update.mutate({ id: taskId })).toEqual(task);
    expect(await tasksTable()).toEqual(before);
  });

  it('lets a user edit tasks on clients they own, assigned to anyone', async () => {
    const user = await api.signIn('user');
    const taskId = await makeTask(await makeClient('user'), 'otherUser');
    expect(await user.tasks.update.mutate({ id: taskId, description: 'Spoke to them' })).toMatchObject({
      description: 'Spoke to them',
    });
  });

  it('lets the assignee edit a task on someone else’s client, but not move it to another such client', async () => {
    const user = await api.signIn('user');
    const foreign = await makeClient('otherUser');
    const taskId = await makeTask(foreign, 'user');
    // A form re-sending the unchanged client and assignee is fine.
    expect(
      await user.tasks.update.mutate({
        id: taskId,
        clientId: foreign,
        assigneeId: api.accounts.user.id,
        title: 'Prepare the visit',
        dueDate: '2099-02-03',
      }),
    ).toMatchObject({ title: 'Prepare the visit', dueDate: '2099-02-03', clientId: foreign });

    const before = await tasksTable();
    await expect(
      user.tasks.update.mutate({ id: taskId, clientId: await makeClient('otherUser'), title: 'Moved' }),
    ).rejects.toMatchObject({ data: { code: 'FORBIDDEN', fieldErrors: { clientId: expect.any(Array) } } });
    expect(await tasksTable()).toEqual(before);

    // Moving it to a client the user owns is allowed.
    const own = await makeClient('user');
    expect(await user.tasks.update.mutate({ id: taskId, clientId: own })).toMatchObject({ clientId: own });
  });

  it('refuses a user a task on someone else’s client that is not assigned to them, changing nothing', async () => {
    const user = await api.signIn('user');
    const foreign = await makeClient('otherUser');
    const tasks = [await makeTask(foreign), await makeTask(foreign, 'otherUser')];
    const before = await tasksTable();
    for (const id of tasks) {
      await expect(user.tasks.update.mutate({ id, title: 'Mine now' })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
      await expect(user.tasks.update.mutate({ id, assigneeId: api.accounts.user.id })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
      await expect(user.tasks.setStatus.mutate({ id, status: 'completed' })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
    }
    expect(await tasksTable()).toEqual(before);
  });

  it('refuses a user moving their own client’s task to a client they do not own', async () => {
    const user = await api.signIn('user');
    const taskId = await makeTask(await makeClient('user'));
    const before = await tasksTable();
    await expect(
      user.tasks.update.mutate({ id: taskId, clientId: await makeClient('otherUser') }),
    ).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect(await tasksTable()).toEqual(before);
  });

  it('refuses bad input and unknown records, changing nothing', async () => {
    const admin = await api.signIn('admin');
    const taskId = await makeTask(await makeClient('user'), 'user');
    await deactivate();
    const before = await tasksTable();
    await expect(admin.tasks.update.mutate({ id: taskId, title: '  ' })).rejects.toMatchObject({
      message: 'title: is required',
      data: { code: 'BAD_REQUEST', fieldErrors: { title: ['is required'] } },
    });
    await expect(admin.tasks.update.mutate({ id: taskId, dueDate: '2101-01-01' })).rejects.toMatchObject(
      badRequestOn('dueDate'),
    );
    await expect(admin.tasks.update.mutate({ id: taskId, status: 'finished' as never })).rejects.toMatchObject(
      badRequestOn('status'),
    );
    await expect(
      admin.tasks.update.mutate({ id: taskId, assigneeId: api.accounts.deactivated.id }),
    ).rejects.toMatchObject({ message: 'assigneeId: is not an active user' });
    await expect(admin.tasks.update.mutate({ id: taskId, clientId: unknownId })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', fieldErrors: { clientId: expect.any(Array) } },
    });
    await expect(admin.tasks.update.mutate({ id: unknownId, title: 'Ghost' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect(await tasksTable()).toEqual(before);
  });

  it('keeps an assignee deactivated since, when the form re-sends them', async () => {
    const admin = await api.signIn('admin');
    const clientId = await makeClient(null);
    await api.db.query('UPDATE users SET is_active = true WHERE id = $1', [api.accounts.deactivated.internalId]);
    const task = await admin.tasks.create.mutate({
      clientId,
      title: 'Hand over',
      assigneeId: api.accounts.deactivated.id,
    });
    await deactivate();
    const updated = await admin.tasks.update.mutate({
      id: task.id,
      title: 'Hand over now',
      assigneeId: task.assigneeId,
    });
    expect(updated).toMatchObject({ title: 'Hand over now', assigneeId: api.accounts.deactivated.id });
  });
});

describe('tasks.setStatus', () => {
  it('lets the assignee finish a task on someone else’s client; a finished task is no longer open or urgent', async () => {
    const user = await api.signIn('user');
    const { rows } = await api.db.query<{ uuid: string }>(
      `INSERT INTO tasks (client_id, title, assigned_user_id, due_date)
       SELECT id, 'Overdue call', $2, CURRENT_DATE - 30 FROM clients WHERE uuid = $1 RETURNING uuid`,
      [await makeClient('otherUser'), api.accounts.user.internalId],
    );
    const id = rows[0]?.uuid ?? '';
    expect(await user.tasks.get.query({ id })).toMatchObject({ isOpen: true, urgency: 'overdue' });
    expect(await user.tasks.setStatus.mutate({ id, status: 'completed' })).toMatchObject({
      id,
      status: 'completed',
      isOpen: false,
      urgency: 'normal',
    });
    expect(await user.tasks.setStatus.mutate({ id, status: 'on_hold' })).toMatchObject({
      status: 'on_hold',
      isOpen: true,
      urgency: 'overdue',
    });
  });

  it('refuses an unknown status or task', async () => {
    const admin = await api.signIn('admin');
    const id = await makeTask(await makeClient(null));
    const before = await tasksTable();
    await expect(admin.tasks.setStatus.mutate({ id, status: 'done' as never })).rejects.toMatchObject(
      badRequestOn('status'),
    );
    await expect(admin.tasks.setStatus.mutate({ id: unknownId, status: 'completed' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect(await tasksTable()).toEqual(before);
  });
});

describe('tasks.delete', () => {
  it('lets managers and admins delete any task', async () => {
    for (const name of ['manager', 'admin'] as const) {
      const caller = await api.signIn(name);
      const id = await makeTask(await makeClient('otherUser'));
      expect(await caller.tasks.delete.mutate({ id })).toEqual({ id });
      await expect(caller.tasks.get.query({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      await expect(caller.tasks.delete.mutate({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    }
  });

  it('lets a user delete tasks of clients they own, not tasks merely assigned to them', async () => {
    const user = await api.signIn('user');
    const own = await makeTask(await makeClient('user'), 'otherUser');
    expect(await user.tasks.delete.mutate({ id: own.toUpperCase() })).toEqual({ id: own });

    const foreign = await makeClient('otherUser');
    const assigned = await makeTask(foreign, 'user');
    const other = await makeTask(foreign);
    const before = await tasksTable();
    for (const id of [assigned, other]) {
      await expect(user.tasks.delete.mutate({ id })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    }
    expect(await tasksTable()).toEqual(before);
  });
});
