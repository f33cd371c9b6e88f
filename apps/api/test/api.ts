/**
 * The API under test, for real: a test file's own database (cloned from the migrated template), the
 * Fastify server listening on 127.0.0.1, and one signed-in client per role, speaking HTTP through
 * createCrmClient exactly as other apps do. Every log line the server writes is kept in `logs`, and
 * a test fails if a request became a 500, the file if a log line holds the test password or the key.
 *
 *   const api = useTestApi();
 *   const admin = await api.signIn('admin');
 *   await admin.clients.create.mutate({ name: 'Acme' });
 */
import { useTestDatabase } from '@mini-crm/database/testing';
import type { UserRole } from '@mini-crm/models';
import type { Pool } from 'pg';
import type { DatabasePool } from 'slonik';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { hashPassword } from '../src/auth/passwords.ts';
import { SessionCache, sessionChangesChannel } from '../src/auth/session-cache.ts';
import { type CrmClient, createCrmClient } from '../src/client.ts';
import { createDatabasePool } from '../src/db.ts';
import type { EncryptionKeys } from '../src/keys/keyring.ts';
import { buildServer } from '../src/server.ts';

export const testEncryptionKey = 'api-test-encryption-key';
export const testPassword = 'correct horse battery';

/** The accounts every test file starts with. `otherUser` owns nothing of `user`'s; `deactivated` is inactive. */
export const accountNames = ['admin', 'manager', 'user', 'otherUser', 'deactivated'] as const;
export type AccountName = (typeof accountNames)[number];

export type TestAccount = {
  /** users.id, for SQL in tests. */
  internalId: number;
  /** The uuid the API speaks. */
  id: string;
  email: string;
  password: string;
  role: UserRole;
};

export type TestApi = {
  url: string;
  /** The test database's URL as the API's role, mini_crm_app (a second API instance can share it). */
  databaseUrl: string;
  /** The same database as its owner: what maintenance commands (`pnpm crm rotate-key`) sign in as. */
  ownerDatabaseUrl: string;
  /**
   * A plain pg pool on the test database, for arranging rows and checking what was written. Its
   * `query` returns once the server has heard of the sessions and users the statement changed, as
   * another API process's change reaches it (auth/session-cache.ts); its `connect` does not wait.
   */
  db: Pool;
  /** What the server knows of sessions: `settle` after changing users or sessions other than by `db.query`. */
  sessions: SessionCache;
  /** The server's own Slonik pool. */
  pool: DatabasePool;
  accounts: Record<AccountName, TestAccount>;
  /** Every line the server logged (JSON), for checks that secrets never appear. */
  logs: string[];
  /** Plaintexts the file uses: the file fails if any of them reached a log line. */
  neverLogged: (secrets: Record<string, string>) => void;
  /** A client with no session. */
  anonymous: (options?: { userAgent?: string }) => CrmClient;
  /** A client signed in as the account. `deactivated` signs in while active, then is deactivated in SQL. */
  signIn: (name: AccountName, options?: { userAgent?: string }) => Promise<CrmClient>;
};

const roles: Record<AccountName, UserRole> = {
  admin: 'admin',
  manager: 'manager',
  user: 'user',
  otherUser: 'user',
  deactivated: 'user',
};

export type TestApiOptions = {
  /** The file provokes 500s on purpose; skip the check that no request became one. */
  allowInternalErrors?: boolean;
  /** Serve auth.demoAccounts as in development (the browser tests' sign-in page). */
  showDemoAccounts?: boolean;
  /** The server's key versions (a rotation under way); default: testEncryptionKey as version 1. */
  encryptionKeys?: EncryptionKeys;
  /** The server pool's size (default: the API's); 1 puts every request on the same connection. */
  poolSize?: number;
};

export function useTestApi(options: TestApiOptions = {}): TestApi {
  const database = useTestDatabase();
  const api = { logs: [] as string[] } as TestApi;
  let close = async () => {};

  beforeAll(async () => {
    // As in production, the API runs as mini_crm_app: every test proves its grants are enough.
    const pool = await createDatabasePool(database.appUrl, { maximumPoolSize: options.poolSize });
    const sessions = new SessionCache();
    const app = await buildServer({
      pool,
      sessions,
      encryptionKey: options.encryptionKeys ?? testEncryptionKey,
      showDemoAccounts: options.showDemoAccounts ?? false,
      logger: { level: 'info', stream: { write: (line: string) => void api.logs.push(line) } },
    });
    sessions.listen(database.appUrl, (message) => app.log.warn(message));
    await app.listen({ host: '127.0.0.1', port: 0 });
    await sessions.listening();
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('server has no port');
    close = async () => {
      await app.close();
      await sessions.stop();
      await pool.end();
    };

    const passwordHash = await hashPassword(testPassword);
    const accounts = {} as Record<AccountName, TestAccount>;
    for (const name of accountNames) {
      const email = `${name.toLowerCase()}@test.example.com`;
      const { rows } = await database.pool.query<{ id: number; uuid: string }>(
        `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id, uuid`,
        [email, `Test ${name}`, roles[name], passwordHash],
      );
      const row = rows[0];
      if (!row) throw new Error('no user row');
      accounts[name] = { internalId: row.id, id: row.uuid, email, password: testPassword, role: roles[name] };
    }

    const db = settlingSessions(database.pool, sessions);
    const url = `http://127.0.0.1:${address.port}`;
    const clientFor = (userAgent = 'mini-crm-tests') => createCrmClient(url, { headers: { 'user-agent': userAgent } });
    Object.assign(api, {
      url,
      databaseUrl: database.appUrl,
      ownerDatabaseUrl: database.url,
      db,
      sessions,
      pool,
      accounts,
      anonymous: (options: { userAgent?: string } = {}) => clientFor(options.userAgent),
      signIn: async (name: AccountName, options: { userAgent?: string } = {}) => {
        const account = accounts[name];
        const client = clientFor(options.userAgent);
        if (name === 'deactivated') await setActive(db, account.internalId, true);
        await client.auth.login.mutate({ email: account.email, password: account.password });
        if (name === 'deactivated') await setActive(db, account.internalId, false);
        return client;
      },
    });
  });

  // No request of any test may have become a 500 (errors.ts logs each one as "procedure failed").
  afterEach(() => {
    if (options.allowInternalErrors) return;
    expect(api.logs.filter((line) => line.includes('"msg":"procedure failed"'))).toEqual([]);
  });

  const secrets: Record<string, string> = {};
  api.neverLogged = (named) => Object.assign(secrets, named);

  afterAll(async () => {
    await close();
    // Whatever the file did, the passwords it signed in with, its secrets and the key never reached a log line.
    const logged = api.logs.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(logged.includes(secret), `the ${name} plaintext was logged`).toBe(false);
    }
    expect(logged.includes(testPassword), 'a password was logged').toBe(false);
    const keys = options.encryptionKeys ? [options.encryptionKeys.current, ...options.encryptionKeys.previous] : [];
    for (const key of [testEncryptionKey, ...keys.map((entry) => entry.key)]) {
      expect(logged.includes(key), 'an encryption key was logged').toBe(false);
    }
  });
  return api;
}

/** `db` whose query waits until the server has heard of what it changed (TestApi.db). */
function settlingSessions(db: Pool, sessions: SessionCache): Pool {
  const notify = (payload: string) => db.query('SELECT pg_notify($1, $2)', [sessionChangesChannel, payload]);
  const query = async (...args: Parameters<Pool['query']>) => {
    const result = await (db.query as (...queryArgs: unknown[]) => Promise<unknown>)(...args);
    await sessions.settle(notify);
    return result;
  };
  return new Proxy(db, { get: (target, key) => (key === 'query' ? query : Reflect.get(target, key, target)) });
}

const setActive = (db: Pool, userId: number, isActive: boolean) =>
  db.query('UPDATE users SET is_active = $2 WHERE id = $1', [userId, isActive]);
