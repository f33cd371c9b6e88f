/**
 * What a request's first statement sets (who, from where, whose "today") holds for that request
 * alone, whether it ran in a transaction (a mutation, credentials.get) or, as a read does, on a
 * pooled connection without one (trpc.ts). The server here has a pool of one connection, so every
 * request runs right after the one before it, on the same connection. A read whose caller the
 * connection already carries skips that statement (auth/session-cache.ts); the last tests hold what
 * that may and may not skip.
 */
import { describe, expect, it } from 'vitest';
import { type AccountName, testEncryptionKey, testPassword, useTestApi } from '../test/api.ts';
import { fixtures } from '../test/fixtures.ts';
import { SessionCache, sessionChangesChannel } from './auth/session-cache.ts';
import { createCrmClient } from './client.ts';
import { createDatabasePool } from './db.ts';
import { buildServer } from './server.ts';

const api = useTestApi({ poolSize: 1 });
const make = fixtures(api);

// 25 hours apart: at every moment these two zones are on different dates.
const ahead = 'Pacific/Kiritimati';
const behind = 'Pacific/Pago_Pago';

const setTimezone = (name: AccountName, zone: string) =>
  api.db.query('UPDATE users SET timezone = $2 WHERE id = $1', [api.accounts[name].internalId, zone]);

const todayIn = async (zone: string) =>
  (await api.db.query<{ today: string }>(`SELECT (now() AT TIME ZONE $1)::date::text AS today`, [zone])).rows[0]?.today;

/** Who wrote each audit row of the credential, with which user agent, oldest first. */
const auditTrailOf = async (credentialId: string) =>
  (
    await api.db.query<{ action: string; email: string | null; user_agent: string | null }>(
      `SELECT a.action, u.email, a.user_agent
       FROM credential_audit_logs a JOIN credentials cd ON cd.id = a.credential_id LEFT JOIN users u ON u.id = a.user_id
       WHERE cd.uuid = $1 ORDER BY a.id`,
      [credentialId],
    )
  ).rows;

describe('a request on a connection another caller used just before', () => {
  it('reads "today" in its own caller’s zone', async () => {
    await setTimezone('user', ahead);
    await setTimezone('admin', behind);
    const user = await api.signIn('user');
    const admin = await api.signIn('admin');
    const [aheadToday, behindToday] = [await todayIn(ahead), await todayIn(behind)];
    expect(aheadToday).not.toBe(behindToday);
    for (let round = 0; round < 3; round += 1) {
      expect((await user.dashboard.summary.query()).today).toBe(aheadToday);
      expect((await admin.dashboard.summary.query()).today).toBe(behindToday);
    }
  });

  it('is recorded as its own caller, after another caller’s read', async () => {
    const user = await api.signIn('user', { userAgent: 'user-agent/1' });
    const admin = await api.signIn('admin', { userAgent: 'admin-agent/1' });
    const client = await make.client('user');

    await user.clients.list.query({});
    const byAdmin = await admin.credentials.create.mutate({ clientId: client.id, label: 'By admin', value: 'x-1' });
    await admin.clients.get.query({ id: client.id });
    const byUser = await user.credentials.create.mutate({ clientId: client.id, label: 'By user', value: 'x-2' });
    await user.tasks.list.query({});
    await admin.credentials.reveal.mutate({ id: byUser.id });

    expect(await auditTrailOf(byAdmin.id)).toEqual([
      { action: 'create', email: api.accounts.admin.email, user_agent: 'admin-agent/1' },
    ]);
    expect(await auditTrailOf(byUser.id)).toEqual([
      { action: 'create', email: api.accounts.user.email, user_agent: 'user-agent/1' },
      { action: 'decrypt', email: api.accounts.admin.email, user_agent: 'admin-agent/1' },
    ]);
  });
});

describe('credentials.get, a read that writes', () => {
  it('leaves no "view" row when the read after it fails', async () => {
    const user = await api.signIn('user');
    const credential = await user.credentials.create.mutate({
      clientId: (await make.client('user')).id,
      label: 'Deleted while viewed',
      value: 'view-then-gone',
    });
    // Hold the audit chain's head: the view's audit row waits for it, after its credential was read.
    const holder = await api.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM credential_audit_chain_head FOR UPDATE');
      const viewing = user.credentials.get.query({ id: credential.id });
      await expect
        .poll(async () => {
          const { rows } = await api.db.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%credentials.view%'`,
          );
          return rows.length;
        })
        .toBe(1);
      // Deleted meanwhile (without its own audit row, which would queue behind the same lock).
      const deleter = await api.db.connect();
      try {
        await deleter.query('BEGIN');
        await deleter.query('SET LOCAL session_replication_role = replica');
        await deleter.query('UPDATE credentials SET deleted_at = now() WHERE uuid = $1', [credential.id]);
        await deleter.query('COMMIT');
      } finally {
        deleter.release();
      }
      await holder.query('ROLLBACK');
      // The view row was written, then the credential read after it found nothing: all rolled back.
      await expect(viewing).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    } finally {
      holder.release();
    }
    expect((await auditTrailOf(credential.id)).map((row) => row.action)).toEqual(['create']);
  });
});

/** Deletes the user's sessions as a superuser behind the triggers' back: no notification is sent. */
const deleteSessionsUnheard = async (name: AccountName) => {
  const connection = await api.db.connect();
  try {
    await connection.query('BEGIN');
    await connection.query('SET LOCAL session_replication_role = replica');
    await connection.query('DELETE FROM user_sessions WHERE user_id = $1', [api.accounts[name].internalId]);
    await connection.query('COMMIT');
  } finally {
    connection.release();
  }
};

const unauthorized = { data: { code: 'UNAUTHORIZED' } };

describe('a read by the caller the connection already carries', () => {
  it('skips the session check until a notification says the user changed', async () => {
    const user = await api.signIn('user');
    const page = await user.clients.list.query({});
    await deleteSessionsUnheard('user');
    // Nothing told this process: the read runs on what the connection already carries.
    await expect(user.clients.list.query({})).resolves.toEqual(page);
    await api.db.query('SELECT pg_notify($1, $2)', [sessionChangesChannel, String(api.accounts.user.internalId)]);
    await expect(user.clients.list.query({})).rejects.toMatchObject(unauthorized);
  });

  it('is checked again after another caller used the connection, and by every write', async () => {
    const user = await api.signIn('user');
    const admin = await api.signIn('admin');
    await user.clients.list.query({});
    await deleteSessionsUnheard('user');
    await admin.clients.list.query({});
    await expect(user.clients.list.query({})).rejects.toMatchObject(unauthorized);

    const again = await api.signIn('user');
    await again.clients.list.query({});
    await deleteSessionsUnheard('user');
    await expect(again.clients.create.mutate({ name: 'Never made' })).rejects.toMatchObject(unauthorized);
    // The write found the session gone, so the reads after it know too.
    await expect(again.clients.list.query({})).rejects.toMatchObject(unauthorized);
  });

  it('takes the new time zone of auth.updateProfile at once, without waiting for the notification', async () => {
    const user = await api.signIn('user');
    await user.auth.updateProfile.mutate({ name: 'Test user', timezone: ahead });
    expect((await user.dashboard.summary.query()).today).toBe(await todayIn(ahead));
    // Without the trigger only the process's own forgetting can tell the next read.
    await api.db.query('ALTER TABLE users DISABLE TRIGGER trg_users_session_change');
    try {
      await user.auth.updateProfile.mutate({ name: 'Test user', timezone: behind });
      expect((await user.dashboard.summary.query()).today).toBe(await todayIn(behind));
    } finally {
      await api.db.query('ALTER TABLE users ENABLE TRIGGER trg_users_session_change');
    }
  });

  it('ends at a sign-out on another API instance, once its notification has arrived', async () => {
    const login = await fetch(`${api.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { origin: api.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: api.accounts.user.email, password: testPassword }),
    });
    const cookie = /mini_crm_session=[a-z2-7]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
    const pool = await createDatabasePool(api.databaseUrl);
    const sessions = new SessionCache();
    const second = await buildServer({ pool, sessions, encryptionKey: testEncryptionKey });
    try {
      sessions.listen(api.databaseUrl, () => {});
      const url = await second.listen({ host: '127.0.0.1', port: 0 });
      const here = createCrmClient(api.url, { headers: { cookie } });
      await here.clients.list.query({});
      await createCrmClient(url, { headers: { cookie } }).auth.logout.mutate();
      await api.db.query('SELECT 1'); // returns once what was committed before it reached this server
      await expect(here.clients.list.query({})).rejects.toMatchObject(unauthorized);
    } finally {
      await second.close();
      await sessions.stop();
      await pool.end();
    }
  });

  it('is checked at every read from the moment the listening connection is lost, until it listens again', async () => {
    const user = await api.signIn('user');
    await user.clients.list.query({});
    await api.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
      'mini-crm session changes',
    ]);
    await expect.poll(() => api.sessions.isListening).toBe(false);
    await deleteSessionsUnheard('user');
    await expect(user.clients.list.query({})).rejects.toMatchObject(unauthorized);
    expect(api.logs.filter((line) => line.includes('session changes: not listening'))).toHaveLength(1);

    await api.sessions.listening(); // again, a second later
    const again = await api.signIn('user');
    const page = await again.clients.list.query({});
    await deleteSessionsUnheard('user');
    await expect(again.clients.list.query({})).resolves.toEqual(page);
  });

  it('is checked at every read while the process does not listen for changes', async () => {
    await api.sessions.stop();
    try {
      const user = await api.signIn('user');
      await user.clients.list.query({});
      await deleteSessionsUnheard('user');
      await expect(user.clients.list.query({})).rejects.toMatchObject(unauthorized);
    } finally {
      api.sessions.listen(api.databaseUrl, () => {});
      await api.sessions.listening();
    }
  });
});

describe('a request that fails on its own account', () => {
  /** The API's connections to this database (the listener's aside): the pool of one here. */
  const poolBackends = async () =>
    (
      await api.db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND usename <> current_user AND application_name <> $1`,
        ['mini-crm session changes'],
      )
    ).rows.map((row) => row.pid);

  it('keeps its pooled connection, with what it prepared and the caller it carries', async () => {
    const user = await api.signIn('user');
    await user.clients.list.query({});
    const before = await poolBackends();
    expect(before).toHaveLength(1);
    await expect(user.clients.get.query({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(user.clients.list.query({ limit: 0 })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect(await poolBackends()).toEqual(before);
  });

  it('rolls a write back and keeps the connection', async () => {
    const admin = await api.signIn('admin');
    await admin.clients.list.query({});
    const before = await poolBackends();
    const email = 'twice@test.example.com';
    await admin.users.create.mutate({ email, name: 'Twice', role: 'user', password: testPassword });
    // The second insert runs, fails on the unique e-mail, and is rolled back.
    await expect(
      admin.users.create.mutate({ email, name: 'Twice again', role: 'user', password: testPassword }),
    ).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await expect(admin.users.deactivate.mutate({ id: api.accounts.admin.id })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    expect(await poolBackends()).toEqual(before);
    const { rows } = await api.db.query('SELECT name FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([{ name: 'Twice' }]);
    expect((await admin.auth.me.query())?.id).toBe(api.accounts.admin.id);
  });
});
