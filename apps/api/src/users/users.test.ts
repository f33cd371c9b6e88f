/** users.list / get / create / update, their inputs and who may call them. Accounts: users-accounts.test.ts. */
import { describe, expect, it } from 'vitest';
import { type AccountName, useTestApi } from '../../test/api.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();

let serial = 0;
const newEmail = (label = 'person') => `${label}-${++serial}-${crypto.randomUUID().slice(0, 6)}@test.example.com`;
const password = 'a long enough password';

const createUser = (admin: CrmClient, input: { name?: string; email?: string; role?: 'admin' | 'manager' | 'user' }) =>
  admin.users.create.mutate({ email: newEmail(), name: 'Some Person', password, ...input });

/** Everything about the users table a refused request must leave as it was. */
const usersTable = async () =>
  (
    await api.db.query(
      'SELECT uuid, email, name, role, is_active, timezone, password_hash, updated_at FROM users ORDER BY id',
    )
  ).rows;

const userFields = ['createdAt', 'email', 'id', 'isActive', 'name', 'role', 'timezone', 'updatedAt'];

describe('users.list', () => {
  it('gives every signed-in role the users, without any password hash or internal id', async () => {
    for (const role of ['admin', 'manager', 'user'] as const) {
      const client = await api.signIn(role);
      const page = await client.users.list.query({ limit: 100 });
      expect(page.total).toBeGreaterThanOrEqual(5);
      const user = page.items.find((item) => item.id === api.accounts.user.id);
      expect(user).toEqual({
        id: api.accounts.user.id,
        email: api.accounts.user.email,
        name: 'Test user',
        role: 'user',
        isActive: true,
        timezone: 'UTC',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      for (const item of page.items) expect(Object.keys(item).sort()).toEqual(userFields);
      const json = JSON.stringify(page);
      expect(json).not.toMatch(/\$2[aby]\$/); // a bcrypt hash
      expect(json).not.toMatch(/password|hash|internalId/i);
    }
  });

  it('pages through a filtered list in letter-case-blind name order, every user once', async () => {
    const admin = await api.signIn('admin');
    const names = ['pager Delta', 'Pager alpha', 'PAGER Charlie', 'pager bravo', 'Pager echo'];
    for (const name of names) await createUser(admin, { name });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof admin.users.list.query>> = await admin.users.list.query({
        search: 'pager',
        limit: 2,
        cursor,
      });
      expect(page.total).toBe(5);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['Pager alpha', 'pager bravo', 'PAGER Charlie', 'pager Delta', 'Pager echo']);
  });

  it('filters by role, by active state and by part of the name or e-mail, in any letter case', async () => {
    const admin = await api.signIn('admin');
    const gone = await createUser(admin, { name: 'Filter Gone', email: newEmail('filtergone') });
    await admin.users.deactivate.mutate({ id: gone.id });
    const percent = await createUser(admin, { name: 'Filter 100% Sure' });

    const managers = await admin.users.list.query({ role: 'manager', limit: 100 });
    expect(managers.items.map((item) => item.id)).toContain(api.accounts.manager.id);
    expect(managers.items.every((item) => item.role === 'manager')).toBe(true);
    expect(managers.total).toBe(managers.items.length);

    const inactive = await admin.users.list.query({ isActive: false, limit: 100 });
    expect(inactive.items.map((item) => item.id)).toContain(gone.id);
    expect(inactive.items.every((item) => !item.isActive)).toBe(true);
    const active = await admin.users.list.query({ isActive: true, limit: 100 });
    expect(active.items.map((item) => item.id)).not.toContain(gone.id);

    const byEmail = await admin.users.list.query({ search: 'FILTERGONE' });
    expect(byEmail.items.map((item) => item.id)).toEqual([gone.id]);
    // "%" is a letter to search for, not a wildcard.
    const byPercent = await admin.users.list.query({ search: '0% s' });
    expect(byPercent.items.map((item) => item.id)).toEqual([percent.id]);
    // A blank search box lists everyone.
    const all = await admin.users.list.query({ search: '   ', limit: 100 });
    expect(all.total).toBe((await api.db.query('SELECT 1 FROM users')).rowCount);

    const none = await admin.users.list.query({ search: 'filter', role: 'admin' });
    expect(none).toEqual({ items: [], nextCursor: null, total: 0, totalIsCapped: false });
  });

  it('refuses a made-up cursor, a page size out of range and an unknown role, naming the field', async () => {
    const client = await api.signIn('user');
    await expect(client.users.list.query({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('cursor'),
    });
    for (const limit of [0, 101, 2.5]) {
      await expect(client.users.list.query({ limit })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { limit: expect.any(Array) } },
      });
    }
    await expect(client.users.list.query({ search: 'a\u0000b' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { search: ['must not contain NUL characters'] } },
    });
    await expect(client.users.list.query({ role: 'owner' as 'admin' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { role: expect.any(Array) } },
    });
  });

  it('needs a session', async () => {
    await expect(api.anonymous().users.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});

describe('users.get', () => {
  it('gives any signed-in role one user by id', async () => {
    const client = await api.signIn('user');
    expect(await client.users.get.query({ id: api.accounts.manager.id })).toMatchObject({
      id: api.accounts.manager.id,
      email: api.accounts.manager.email,
      role: 'manager',
      isActive: true,
    });
  });

  it('answers NOT_FOUND for an unknown id and BAD_REQUEST for one that is not a uuid', async () => {
    const client = await api.signIn('manager');
    await expect(client.users.get.query({ id: crypto.randomUUID() })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(client.users.get.query({ id: String(api.accounts.user.internalId) })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { id: expect.any(Array) } },
    });
  });
});

describe('users.create', () => {
  it('creates a user who can sign in, with the e-mail and time zone normalised and defaults applied', async () => {
    const admin = await api.signIn('admin');
    const email = newEmail('created');
    const user = await admin.users.create.mutate({
      email: `  ${email.toUpperCase()} `,
      name: '  Nora New ',
      timezone: 'europe/berlin',
      password,
    });
    expect(user).toMatchObject({ email, name: 'Nora New', role: 'user', isActive: true, timezone: 'Europe/Berlin' });
    expect(await admin.users.get.query({ id: user.id })).toEqual(user);

    const me = await api.anonymous().auth.login.mutate({ email, password });
    expect(me).toEqual({ id: user.id, email, name: 'Nora New', role: 'user', timezone: 'Europe/Berlin' });

    const manager = await admin.users.create.mutate({
      email: newEmail(),
      name: 'Max Manager',
      role: 'manager',
      password,
    });
    expect(manager).toMatchObject({ role: 'manager', timezone: 'UTC' });
  });

  it('refuses an e-mail already in use, in any letter case, as a CONFLICT on email', async () => {
    const admin = await api.signIn('admin');
    const conflict = { data: { code: 'CONFLICT', fieldErrors: { email: ['already in use'] } } };
    await expect(
      admin.users.create.mutate({ email: api.accounts.user.email.toUpperCase(), name: 'Twin', password }),
    ).rejects.toMatchObject(conflict);
    // A row written elsewhere with capitals still blocks its lower-case twin.
    const mixed = `Mixed.Case-${crypto.randomUUID().slice(0, 6)}@Test.Example.com`;
    await api.db.query(`INSERT INTO users (email, name, password_hash) VALUES ($1, 'Mixed', 'x')`, [mixed]);
    await expect(admin.users.create.mutate({ email: mixed, name: 'Twin', password })).rejects.toMatchObject(conflict);
  });

  it('explains each bad field and creates nothing', async () => {
    const admin = await api.signIn('admin');
    const before = await usersTable();
    const good = { email: newEmail(), name: 'Valid Name', password };
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ email: `${'x'.repeat(250)}@example.com` }, 'email'],
      [{ name: '   ' }, 'name'],
      [{ name: 'n'.repeat(256) }, 'name'],
      [{ role: 'superuser' }, 'role'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ password: 'short' }, 'password'],
      [{ password: 'é'.repeat(37) }, 'password'], // 74 bytes: bcrypt would silently cut it
    ];
    for (const [change, field] of cases) {
      const input = { ...good, ...change } as typeof good;
      await expect(admin.users.create.mutate(input), field).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
      });
    }
    expect(await usersTable()).toEqual(before);
  });
});

describe('users.update', () => {
  it('changes only the fields given, normalising them, and the new e-mail signs in', async () => {
    const admin = await api.signIn('admin');
    const user = await createUser(admin, { name: 'Before Name' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const email = newEmail('renamed');
    const updated = await admin.users.update.mutate({
      id: user.id,
      email: email.toUpperCase(),
      timezone: 'asia/TOKYO',
    });
    expect(updated).toEqual({
      ...user,
      email,
      timezone: 'Asia/Tokyo',
      updatedAt: expect.any(String),
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(user.updatedAt));
    expect(await admin.users.update.mutate({ id: user.id, name: ' After Name ' })).toMatchObject({
      name: 'After Name',
      email,
      timezone: 'Asia/Tokyo',
    });
    await expect(api.anonymous().auth.login.mutate({ email, password })).resolves.toMatchObject({ id: user.id });
  });

  it('refuses an e-mail another user has, in any letter case, and leaves the user as they were', async () => {
    const admin = await api.signIn('admin');
    const user = await createUser(admin, {});
    await expect(
      admin.users.update.mutate({ id: user.id, email: api.accounts.manager.email.toUpperCase() }),
    ).rejects.toMatchObject({ data: { code: 'CONFLICT', fieldErrors: { email: ['already in use'] } } });
    expect(await admin.users.get.query({ id: user.id })).toEqual(user);
  });

  it('answers NOT_FOUND for an unknown user and BAD_REQUEST for bad fields', async () => {
    const admin = await api.signIn('admin');
    await expect(admin.users.update.mutate({ id: crypto.randomUUID(), name: 'Ghost' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    const before = await usersTable();
    const id = api.accounts.otherUser.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ email: 'nope' }, 'email'],
      [{ role: 'root' }, 'role'],
      [{ timezone: 'Nowhere/Land' }, 'timezone'],
      [{ name: null }, 'name'],
    ];
    for (const [change, field] of cases) {
      await expect(admin.users.update.mutate({ id, ...change }), field).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
      });
    }
    expect(await usersTable()).toEqual(before);
  });
});

describe('admin-only procedures', () => {
  it('refuse managers and users with FORBIDDEN and change nothing', async () => {
    const admin = await api.signIn('admin');
    const target = await createUser(admin, {});
    const sessions = async () =>
      (await api.db.query('SELECT id FROM user_sessions ORDER BY id')).rows.map((row) => row.id as string);
    for (const name of ['manager', 'user'] as AccountName[]) {
      const client = await api.signIn(name);
      const before = { users: await usersTable(), sessions: await sessions() };
      const id = target.id;
      const calls = [
        client.users.create.mutate({ email: newEmail(), name: 'Sneaky', password }),
        client.users.update.mutate({ id, name: 'Sneaky' }),
        client.users.update.mutate({ id: api.accounts[name].id, role: 'admin' }),
        client.users.deactivate.mutate({ id }),
        client.users.reactivate.mutate({ id }),
        client.users.resetPassword.mutate({ id, password: 'sneaky new password' }),
      ];
      for (const call of calls) await expect(call).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
      expect({ users: await usersTable(), sessions: await sessions() }).toEqual(before);
    }
  });
});
