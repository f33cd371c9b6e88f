/** clients.get / create / update / delete: shapes, owner rules, refusals that change nothing. */
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../test/api.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();

type CreateInput = Parameters<CrmClient['clients']['create']['mutate']>[0];
type UpdateInput = Parameters<CrmClient['clients']['update']['mutate']>[0];

/** Everything about the clients table a refused request must leave as it was. */
const clientsTable = async () =>
  (
    await api.db.query(
      `SELECT uuid, name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id, updated_at
       FROM clients ORDER BY id`,
    )
  ).rows;

const ownerOf = (name: 'admin' | 'manager' | 'user' | 'otherUser') => ({
  id: api.accounts[name].id,
  name: `Test ${name}`,
  email: api.accounts[name].email,
});

/** The `deactivated` account is active until something deactivates it: make sure it is inactive. */
const deactivate = () =>
  api.db.query('UPDATE users SET is_active = false WHERE id = $1', [api.accounts.deactivated.internalId]);

const badRequestOn = (field: string) => ({
  data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
});

describe('clients.create', () => {
  it('lets a user create a client they own, with defaults and normalised fields', async () => {
    const user = await api.signIn('user');
    const client = await user.clients.create.mutate({
      name: '  Acme GmbH ',
      company: '   ',
      email: ' Info@ACME.example ',
      timezone: 'europe/berlin',
      tags: ['VIP', 'vip ', 'Retail'],
      websiteUrl: 'https://acme.example/about',
      notes: 'Prefers e-mail.',
    });
    expect(client).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Acme GmbH',
      company: null,
      email: 'info@acme.example',
      phone: null,
      status: 'active',
      tags: ['vip', 'retail'],
      timezone: 'Europe/Berlin',
      websiteUrl: 'https://acme.example/about',
      notes: 'Prefers e-mail.',
      ownerId: api.accounts.user.id,
      owner: ownerOf('user'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      taskCount: 0,
      pendingTasks: 0,
      inProgressTasks: 0,
      overdueTasks: 0,
      completedTasks: 0,
      credentialCount: 0,
    });
    expect(await user.clients.get.query({ id: client.id })).toEqual(client);
    // A user may name themselves as owner explicitly (a form that always sends the field).
    const explicit = await user.clients.create.mutate({
      name: 'Mine Too',
      ownerId: api.accounts.user.id.toUpperCase(),
    });
    expect(explicit.ownerId).toBe(api.accounts.user.id);
  });

  it('refuses a user naming another owner or none, and creates nothing', async () => {
    const user = await api.signIn('user');
    const before = await clientsTable();
    for (const ownerId of [api.accounts.otherUser.id, api.accounts.manager.id, null, crypto.randomUUID()]) {
      await expect(user.clients.create.mutate({ name: 'Handed Over', ownerId }), String(ownerId)).rejects.toMatchObject(
        {
          data: { code: 'FORBIDDEN', fieldErrors: { ownerId: expect.any(Array) } },
          message: expect.stringContaining('ownerId'),
        },
      );
    }
    expect(await clientsTable()).toEqual(before);
  });

  it('lets managers and admins choose any active owner or none; the default owner is the caller', async () => {
    const manager = await api.signIn('manager');
    const admin = await api.signIn('admin');
    expect(await manager.clients.create.mutate({ name: 'For User', ownerId: api.accounts.user.id })).toMatchObject({
      ownerId: api.accounts.user.id,
      owner: ownerOf('user'),
    });
    expect(await admin.clients.create.mutate({ name: 'Nobody’s', ownerId: null })).toMatchObject({
      ownerId: null,
      owner: null,
    });
    expect(await admin.clients.create.mutate({ name: 'Admin’s Own' })).toMatchObject({ owner: ownerOf('admin') });
  });

  it('refuses an owner who is not a user or not active, and creates nothing', async () => {
    const manager = await api.signIn('manager');
    await deactivate();
    const before = await clientsTable();
    await expect(manager.clients.create.mutate({ name: 'Ghost', ownerId: crypto.randomUUID() })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { ownerId: ['is not a user'] } },
      message: 'ownerId: is not a user',
    });
    await expect(
      manager.clients.create.mutate({ name: 'Ghost', ownerId: api.accounts.deactivated.id }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { ownerId: ['is not an active user'] } },
      message: 'ownerId: is not an active user',
    });
    expect(await clientsTable()).toEqual(before);
  });

  it('explains each bad field and creates nothing', async () => {
    const user = await api.signIn('user');
    const before = await clientsTable();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '   ' }, 'name'],
      [{ name: 'n'.repeat(256) }, 'name'],
      [{ name: undefined }, 'name'],
      [{ email: 'a@b' }, 'email'],
      [{ phone: '1'.repeat(51) }, 'phone'],
      [{ status: 'gone' }, 'status'],
      [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ websiteUrl: 'ftp://files.example.com' }, 'websiteUrl'],
      [{ websiteUrl: 'javascript:alert(1)' }, 'websiteUrl'],
      [{ tags: ['x'.repeat(51)] }, 'tags.0'],
      [{ tags: ['ok', 'nul\u0000tag'] }, 'tags.1'],
      [{ timezone: '+05:00' }, 'timezone'],
      [{ company: 'bad \u0000 byte' }, 'company'],
      [{ ownerId: 'someone' }, 'ownerId'],
    ];
    for (const [change, field] of cases) {
      const input = { name: 'Valid', ...change } as CreateInput;
      await expect(user.clients.create.mutate(input), field).rejects.toMatchObject(badRequestOn(field));
    }
    // Accepted by the form rules, refused by the table's CHECK: still a BAD_REQUEST naming the field.
    await expect(user.clients.create.mutate({ name: 'Valid', websiteUrl: 'https://localhost' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { websiteUrl: ['must be an http(s) URL'] } },
    });
    expect(await clientsTable()).toEqual(before);
  });

  it('keeps current IANA names as typed (Asia/Kolkata, Europe/Kyiv) and a client saves back unchanged', async () => {
    const manager = await api.signIn('manager');
    for (const timezone of ['Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires']) {
      const client = await manager.clients.create.mutate({ name: `In ${timezone}`, timezone });
      expect(client.timezone).toBe(timezone);
      const { id, name, company, email, phone, status, tags, websiteUrl, notes, ownerId } = client;
      const saved = await manager.clients.update.mutate({
        ...{ id, name, company, email, phone, status, tags, websiteUrl, notes, ownerId },
        timezone: client.timezone,
      });
      expect(saved.timezone).toBe(timezone);
    }
    expect((await manager.clients.create.mutate({ name: 'Lower', timezone: 'europe/berlin' })).timezone).toBe(
      'Europe/Berlin',
    );
  });

  it('needs a session', async () => {
    await expect(api.anonymous().clients.create.mutate({ name: 'Anon' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });
});

describe('clients.get', () => {
  it('gives any role the client with its task and credential figures', async () => {
    const manager = await api.signIn('manager');
    const client = await manager.clients.create.mutate({ name: 'Figures Ltd', ownerId: api.accounts.otherUser.id });
    await api.db.query(
      `INSERT INTO tasks (client_id, title, status, due_date)
       SELECT c.id, t.title, t.status, CURRENT_DATE + t.days
       FROM clients c, (VALUES ('late pending', 'pending', -2), ('late in progress', 'in_progress', -1),
                               ('late on hold', 'on_hold', -1), ('due today', 'pending', 0),
                               ('due later', 'pending', 3), ('done late', 'completed', -5),
                               ('dropped late', 'cancelled', -5)) AS t(title, status, days)
       WHERE c.uuid = $1`,
      [client.id],
    );
    await api.db.query(
      `INSERT INTO credentials (client_id, label, deleted_at)
       SELECT id, l.label, l.deleted_at FROM clients, (VALUES ('a', NULL), ('b', NULL), ('gone', now())) AS l(label, deleted_at)
       WHERE uuid = $1`,
      [client.id],
    );
    const user = await api.signIn('user'); // not the owner: reading is for everyone
    expect(await user.clients.get.query({ id: client.id.toUpperCase() })).toEqual({
      ...client,
      taskCount: 7,
      pendingTasks: 3,
      inProgressTasks: 1,
      overdueTasks: 3,
      completedTasks: 1,
      credentialCount: 2,
    });
  });

  it('counts overdue tasks by the caller’s own date', async () => {
    const admin = await api.signIn('admin');
    const client = await admin.clients.create.mutate({ name: 'Date Line Co' });
    // Due "today" in Pago Pago (UTC−11): Kiritimati (UTC+14) is always a day or two further on.
    await api.db.query(
      `INSERT INTO tasks (client_id, title, due_date)
       SELECT id, 'call', (now() AT TIME ZONE 'Pacific/Pago_Pago')::date FROM clients WHERE uuid = $1`,
      [client.id],
    );
    const setZone = (zone: string, id: number) =>
      api.db.query('UPDATE users SET timezone = $1 WHERE id = $2', [zone, id]);
    try {
      await setZone('Pacific/Kiritimati', api.accounts.manager.internalId);
      await setZone('Pacific/Pago_Pago', api.accounts.user.internalId);
      const manager = await api.signIn('manager');
      const user = await api.signIn('user');
      expect((await manager.clients.get.query({ id: client.id })).overdueTasks).toBe(1);
      expect((await user.clients.get.query({ id: client.id })).overdueTasks).toBe(0);
    } finally {
      await setZone('UTC', api.accounts.manager.internalId);
      await setZone('UTC', api.accounts.user.internalId);
    }
  });

  it('answers NOT_FOUND for an unknown id and BAD_REQUEST for one that is not a uuid', async () => {
    const user = await api.signIn('user');
    await expect(user.clients.get.query({ id: crypto.randomUUID() })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(user.clients.get.query({ id: '1' })).rejects.toMatchObject(badRequestOn('id'));
  });
});

describe('clients.update', () => {
  it('changes only the fields present; null and blank clear them', async () => {
    const user = await api.signIn('user');
    const client = await user.clients.create.mutate({
      name: 'Before',
      company: 'Old Co',
      email: 'old@example.com',
      phone: '+49 30 1234',
      tags: ['a', 'b'],
      notes: 'keep me',
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await user.clients.update.mutate({
      id: client.id,
      name: ' After ',
      company: null,
      phone: '',
      status: 'prospect',
      tags: [],
      timezone: 'asia/tokyo',
      websiteUrl: 'http://after.example',
    });
    expect(updated).toEqual({
      ...client,
      name: 'After',
      company: null,
      phone: null,
      status: 'prospect',
      tags: [],
      timezone: 'Asia/Tokyo',
      websiteUrl: 'http://after.example',
      updatedAt: expect.any(String),
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(client.updatedAt));
    expect(await user.clients.get.query({ id: client.id })).toEqual(updated);
    // Nothing to change: the client comes back as it was, updatedAt included.
    expect(await user.clients.update.mutate({ id: client.id })).toEqual(updated);
  });

  it('refuses a user on another user’s client with FORBIDDEN and changes nothing', async () => {
    const otherUser = await api.signIn('otherUser');
    const theirs = await otherUser.clients.create.mutate({ name: 'Not Yours' });
    const user = await api.signIn('user');
    const before = await clientsTable();
    for (const change of [{ name: 'Mine now' }, { notes: null }, { ownerId: api.accounts.user.id }, {}]) {
      await expect(user.clients.update.mutate({ id: theirs.id, ...change })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
    }
    expect(await clientsTable()).toEqual(before);
  });

  it('lets a user re-send their own ownerId but never hand the client on or drop it', async () => {
    const user = await api.signIn('user');
    const client = await user.clients.create.mutate({ name: 'Kept' });
    expect(
      await user.clients.update.mutate({ id: client.id, ownerId: api.accounts.user.id, notes: 'ok' }),
    ).toMatchObject({ ownerId: api.accounts.user.id, notes: 'ok' });
    const before = await clientsTable();
    for (const ownerId of [api.accounts.otherUser.id, null]) {
      await expect(user.clients.update.mutate({ id: client.id, ownerId, notes: 'sneaky' })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN', fieldErrors: { ownerId: expect.any(Array) } },
      });
    }
    expect(await clientsTable()).toEqual(before);
  });

  it('lets managers and admins edit any client and move it to another active owner or none', async () => {
    const user = await api.signIn('user');
    const manager = await api.signIn('manager');
    const admin = await api.signIn('admin');
    const client = await user.clients.create.mutate({ name: 'Moving' });

    const moved = await manager.clients.update.mutate({ id: client.id, ownerId: api.accounts.otherUser.id });
    expect(moved).toMatchObject({ ownerId: api.accounts.otherUser.id, owner: ownerOf('otherUser'), name: 'Moving' });
    // The previous owner lost it; the new one has it.
    await expect(user.clients.update.mutate({ id: client.id, name: 'Back' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    const otherUser = await api.signIn('otherUser');
    expect(await otherUser.clients.update.mutate({ id: client.id, name: 'Theirs' })).toMatchObject({ name: 'Theirs' });

    expect(await admin.clients.update.mutate({ id: client.id, ownerId: null })).toMatchObject({
      ownerId: null,
      owner: null,
    });
    await expect(otherUser.clients.update.mutate({ id: client.id, name: 'Again' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
  });

  it('refuses a new owner who is not a user or inactive, but keeps an unchanged inactive owner', async () => {
    const manager = await api.signIn('manager');
    await deactivate();
    const client = await manager.clients.create.mutate({ name: 'Owner Rules', ownerId: api.accounts.user.id });
    const before = await clientsTable();
    await expect(
      manager.clients.update.mutate({ id: client.id, ownerId: crypto.randomUUID(), name: 'x' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { ownerId: ['is not a user'] } } });
    await expect(
      manager.clients.update.mutate({ id: client.id, ownerId: api.accounts.deactivated.id, name: 'x' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { ownerId: ['is not an active user'] } } });
    expect(await clientsTable()).toEqual(before);

    // The owner is deactivated afterwards: a form re-sending the same owner still saves.
    await api.db.query(`UPDATE clients SET owner_user_id = $1 WHERE uuid = $2`, [
      api.accounts.deactivated.internalId,
      client.id,
    ]);
    expect(
      await manager.clients.update.mutate({
        id: client.id,
        ownerId: api.accounts.deactivated.id,
        notes: 'still theirs',
      }),
    ).toMatchObject({ ownerId: api.accounts.deactivated.id, notes: 'still theirs' });
  });

  it('answers NOT_FOUND for an unknown client and BAD_REQUEST for bad fields, changing nothing', async () => {
    const admin = await api.signIn('admin');
    await expect(admin.clients.update.mutate({ id: crypto.randomUUID(), name: 'Ghost' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    const client = await admin.clients.create.mutate({ name: 'Stays' });
    const before = await clientsTable();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ name: null }, 'name'],
      [{ status: 'gone' }, 'status'],
      [{ status: null }, 'status'],
      [{ email: 'nope' }, 'email'],
      [{ timezone: 'Nowhere/Land' }, 'timezone'],
      [{ tags: null }, 'tags'],
      [{ websiteUrl: 'mailto:a@b.example' }, 'websiteUrl'],
    ];
    for (const [change, field] of cases) {
      await expect(
        admin.clients.update.mutate({ id: client.id, notes: 'changed', ...change } as UpdateInput),
        field,
      ).rejects.toMatchObject(badRequestOn(field));
    }
    // Refused by the table's CHECK after the other columns were set: the whole update rolls back.
    await expect(
      admin.clients.update.mutate({ id: client.id, notes: 'changed', websiteUrl: 'https://localhost' }),
    ).rejects.toMatchObject(badRequestOn('websiteUrl'));
    expect(await clientsTable()).toEqual(before);
  });
});

describe('clients.delete', () => {
  const taskCount = async (clientUuid: string) =>
    (
      await api.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tasks t JOIN clients c ON c.id = t.client_id WHERE c.uuid = $1',
        [clientUuid],
      )
    ).rows[0]?.n;

  it('lets managers and admins delete a client with its tasks', async () => {
    const manager = await api.signIn('manager');
    const admin = await api.signIn('admin');
    for (const caller of [manager, admin]) {
      const client = await caller.clients.create.mutate({ name: 'Short Lived' });
      await api.db.query(
        `INSERT INTO tasks (client_id, title) SELECT id, t FROM clients, unnest(ARRAY['one', 'two']) AS t WHERE uuid = $1`,
        [client.id],
      );
      const tasksBefore = (await api.db.query('SELECT 1 FROM tasks')).rowCount ?? 0;
      expect(await taskCount(client.id)).toBe(2);

      expect(await caller.clients.delete.mutate({ id: client.id })).toEqual({ id: client.id });
      await expect(caller.clients.get.query({ id: client.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      expect((await api.db.query('SELECT 1 FROM tasks')).rowCount).toBe(tasksBefore - 2);
      await expect(caller.clients.delete.mutate({ id: client.id })).rejects.toMatchObject({
        data: { code: 'NOT_FOUND' },
      });
    }
  });

  it('refuses users, even on their own clients, and deletes nothing', async () => {
    const user = await api.signIn('user');
    const client = await user.clients.create.mutate({ name: 'Own But Kept' });
    await expect(user.clients.delete.mutate({ id: client.id })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await user.clients.get.query({ id: client.id })).toEqual(client);
  });

  it('refuses a client with credentials, deleted ones included, keeping them and their audit trail', async () => {
    const admin = await api.signIn('admin');
    const auditRows = async () => (await api.db.query('SELECT id FROM credential_audit_logs ORDER BY id')).rows;
    for (const deletedAt of [null, new Date().toISOString()]) {
      const client = await admin.clients.create.mutate({ name: 'Has Secrets' });
      await api.db.query(`INSERT INTO tasks (client_id, title) SELECT id, 'a task' FROM clients WHERE uuid = $1`, [
        client.id,
      ]);
      await api.db.query(
        `INSERT INTO credentials (client_id, label, deleted_at) SELECT id, 'Login', $2 FROM clients WHERE uuid = $1`,
        [client.id, deletedAt],
      );
      const before = { clients: await clientsTable(), audit: await auditRows() };
      expect(before.audit.length).toBeGreaterThan(0);

      await expect(admin.clients.delete.mutate({ id: client.id })).rejects.toMatchObject({
        data: { code: 'CONFLICT' },
        message: expect.stringContaining('archive the client instead'),
      });
      expect({ clients: await clientsTable(), audit: await auditRows() }).toEqual(before);
      expect(await taskCount(client.id)).toBe(1);
    }
  });

  it('answers BAD_REQUEST for an id that is not a uuid', async () => {
    const manager = await api.signIn('manager');
    await expect(manager.clients.delete.mutate({ id: 'x' })).rejects.toMatchObject(badRequestOn('id'));
  });
});
