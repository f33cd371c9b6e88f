/**
 * What an admin does to other people's accounts: deactivate, reactivate, reset a password, change a
 * role. Each of those (but reactivation) ends the person's sessions; the lock-out guards keep at
 * least one active admin.
 */
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../test/api.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();

const password = 'a long enough password';
const newEmail = () => `account-${crypto.randomUUID().slice(0, 8)}@test.example.com`;

/** A fresh account made by the admin, and a client signed in as it. */
async function freshAccount(admin: CrmClient, role: 'admin' | 'manager' | 'user' = 'user') {
  const email = newEmail();
  const user = await admin.users.create.mutate({ email, name: `Fresh ${role}`, role, password });
  const client = api.anonymous();
  await client.auth.login.mutate({ email, password });
  return { user, email, client };
}

const login = (email: string, pass: string) => api.anonymous().auth.login.mutate({ email, password: pass });
const unauthorized = { data: { code: 'UNAUTHORIZED' } };

const sessionCount = async (uuid: string) =>
  (
    await api.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.uuid = $1',
      [uuid],
    )
  ).rows[0]?.n;

describe('users.deactivate and users.reactivate', () => {
  it('signs the user out everywhere at once and keeps them out until reactivated', async () => {
    const admin = await api.signIn('admin');
    const { user, email, client } = await freshAccount(admin);
    const second = api.anonymous();
    await second.auth.login.mutate({ email, password });
    expect(await client.users.list.query({})).toMatchObject({ total: expect.any(Number) });

    expect(await admin.users.deactivate.mutate({ id: user.id })).toMatchObject({ id: user.id, isActive: false });
    expect(await sessionCount(user.id)).toBe(0);
    for (const c of [client, second]) {
      expect(await c.auth.me.query()).toBeNull();
      await expect(c.users.list.query({})).rejects.toMatchObject(unauthorized);
    }
    await expect(login(email, password)).rejects.toMatchObject(unauthorized);
    // Still listed, so their clients and tasks keep a name; marked inactive.
    expect(await admin.users.get.query({ id: user.id })).toMatchObject({ isActive: false });

    expect(await admin.users.reactivate.mutate({ id: user.id })).toMatchObject({ id: user.id, isActive: true });
    await expect(login(email, password)).resolves.toMatchObject({ id: user.id });
  });

  it('is idempotent and answers NOT_FOUND for an unknown user', async () => {
    const admin = await api.signIn('admin');
    const { user } = await freshAccount(admin);
    await admin.users.deactivate.mutate({ id: user.id });
    expect(await admin.users.deactivate.mutate({ id: user.id })).toMatchObject({ isActive: false });
    await admin.users.reactivate.mutate({ id: user.id });
    expect(await admin.users.reactivate.mutate({ id: user.id })).toMatchObject({ isActive: true });
    for (const call of [admin.users.deactivate, admin.users.reactivate]) {
      await expect(call.mutate({ id: crypto.randomUUID() })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      await expect(call.mutate({ id: 'nope' })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { id: expect.any(Array) } },
      });
    }
  });
});

describe('users.resetPassword', () => {
  it('sets a new password that works, the old one stops working, and open sessions end', async () => {
    const admin = await api.signIn('admin');
    const { user, email, client } = await freshAccount(admin);
    const next = 'the replacement passphrase';
    expect(await admin.users.resetPassword.mutate({ id: user.id, password: next })).toMatchObject({ id: user.id });

    expect(await client.auth.me.query()).toBeNull();
    await expect(login(email, password)).rejects.toMatchObject(unauthorized);
    await expect(login(email, next)).resolves.toMatchObject({ id: user.id });
    const { rows } = await api.db.query('SELECT password_hash FROM users WHERE uuid = $1', [user.id]);
    expect(rows[0]?.password_hash).toMatch(/^\$2[aby]\$10\$/); // bcrypt, cost 10; never the plain text
  });

  it('refuses a weak password, an unknown user, and the admin themselves, changing nothing', async () => {
    const admin = await api.signIn('admin');
    const { user, email, client } = await freshAccount(admin);
    await expect(admin.users.resetPassword.mutate({ id: user.id, password: 'short' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { password: ['must be at least 10 characters'] } },
    });
    await expect(
      admin.users.resetPassword.mutate({ id: crypto.randomUUID(), password: 'a fine new password' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(await client.auth.me.query()).toMatchObject({ id: user.id });
    await expect(login(email, password)).resolves.toMatchObject({ id: user.id });

    // One's own password goes through auth.changePassword, which asks for the current one.
    await expect(
      admin.users.resetPassword.mutate({ id: api.accounts.admin.id, password: 'a fine new password' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { id: [expect.stringContaining('own')] } } });
    expect(await admin.auth.me.query()).toMatchObject({ id: api.accounts.admin.id });
  });
});

describe('role changes', () => {
  it('end the user’s sessions, and the next sign-in carries the new role', async () => {
    const admin = await api.signIn('admin');
    const { user, email, client } = await freshAccount(admin, 'user');
    await expect(client.users.create.mutate({ email: newEmail(), name: 'X', password })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });

    expect(await admin.users.update.mutate({ id: user.id, role: 'admin' })).toMatchObject({ role: 'admin' });
    expect(await client.auth.me.query()).toBeNull();
    const again = api.anonymous();
    expect(await again.auth.login.mutate({ email, password })).toMatchObject({ role: 'admin' });
    await expect(
      again.users.create.mutate({ email: newEmail(), name: 'Made By Promoted', password }),
    ).resolves.toBeTruthy();

    expect(await admin.users.update.mutate({ id: user.id, role: 'user' })).toMatchObject({ role: 'user' });
    expect(await again.auth.me.query()).toBeNull();
  });

  it('leave sessions alone when the role stays the same or only other fields change', async () => {
    const admin = await api.signIn('admin');
    const { user, client } = await freshAccount(admin, 'manager');
    await admin.users.update.mutate({ id: user.id, role: 'manager', name: 'Same Role' });
    await admin.users.update.mutate({ id: user.id, timezone: 'America/New_York' });
    expect(await client.auth.me.query()).toMatchObject({ id: user.id, name: 'Same Role', role: 'manager' });
  });
});

describe('lock-out guards', () => {
  it('an admin cannot deactivate themselves nor change their own role, and stays signed in', async () => {
    const admin = await api.signIn('admin');
    const self = api.accounts.admin.id;
    await expect(admin.users.deactivate.mutate({ id: self })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { id: ['you cannot deactivate yourself'] } },
    });
    await expect(admin.users.update.mutate({ id: self, role: 'manager' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { role: ['you cannot change your own role'] } },
    });
    // The edit form sends the unchanged role along with a new name: that is fine.
    expect(await admin.users.update.mutate({ id: self, role: 'admin', name: 'Test admin' })).toMatchObject({
      role: 'admin',
      isActive: true,
    });
    expect(await admin.auth.me.query()).toMatchObject({ id: self, role: 'admin' });
  });

  /**
   * Two admins, each removing the other at the same moment, must not leave the CRM without an admin.
   * The test holds the guard's lock until both requests wait on it, so they truly overlap.
   */
  it.each([
    ['demote', (c: CrmClient, id: string) => c.users.update.mutate({ id, role: 'user' })],
    ['deactivate', (c: CrmClient, id: string) => c.users.deactivate.mutate({ id })],
  ] as const)(
    'two admins who %s each other at once: one wins, the other learns the last admin must stay',
    async (_, remove) => {
      const admin = await api.signIn('admin');
      const first = await freshAccount(admin, 'admin');
      const second = await freshAccount(admin, 'admin');
      // Leave exactly these two as the active admins.
      await api.db.query(`UPDATE users SET is_active = false WHERE role = 'admin' AND uuid NOT IN ($1, $2)`, [
        first.user.id,
        second.user.id,
      ]);
      const blocker = await api.db.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT pg_advisory_xact_lock(hashtext('mini_crm.users.admins'))`);
        const results = Promise.allSettled([
          remove(first.client, second.user.id),
          remove(second.client, first.user.id),
        ]);
        let waiting = 0;
        for (let tries = 0; waiting < 2 && tries < 100; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const { rows } = await api.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
          );
          waiting = rows[0]?.n ?? 0;
        }
        expect(waiting).toBe(2);
        await blocker.query('COMMIT');
        const [a, b] = await results;
        const outcomes = [a, b].map((result) => result?.status).sort();
        expect(outcomes).toEqual(['fulfilled', 'rejected']);
        const refused = [a, b].find((result) => result?.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason).toMatchObject({
          data: { code: 'CONFLICT' },
          message: expect.stringContaining('the last active admin'),
        });
        const { rows } = await api.db.query(`SELECT uuid FROM users WHERE role = 'admin' AND is_active`);
        expect(rows).toHaveLength(1);
      } finally {
        blocker.release();
        await api.db.query(`UPDATE users SET is_active = true WHERE id = $1`, [api.accounts.admin.internalId]);
      }
    },
  );
});
