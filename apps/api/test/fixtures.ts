/**
 * Records made in SQL, for tests that must not depend on the procedures under test (or that need
 * rows no procedure makes: a given due date in another zone, a secret under another key). One
 * maker per table, bound to the file's test API:
 *
 *   const make = fixtures(api);
 *   const client = await make.client('user', { status: 'prospect' });   // { id, name }
 *   const taskId = await make.task(client.id, { assignee: 'user', dueIn: -1 });
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type AccountName, type TestApi, testEncryptionKey } from './api.ts';

const suffix = () => randomUUID().slice(0, 8);

export type ClientValues = { name?: string; company?: string | null; status?: string; tags?: string[] };

export type TaskValues = {
  assignee?: AccountName | null;
  title?: string;
  description?: string | null;
  status?: string;
  priority?: string;
  /** A fixed due date (YYYY-MM-DD). */
  dueDate?: string | null;
  /** Or days from today in `zone` (UTC unless given), computed by PostgreSQL, not by this machine. */
  dueIn?: number | null;
  zone?: string;
};

export type CredentialValues = {
  label?: string;
  /** null stores no secret at all. */
  secret?: string | null;
  /** The key to encrypt with; the API's test key unless given. */
  key?: string;
  /** The key version the row records; 1 unless given. */
  keyVersion?: number;
  /** Who, from where: the app.* settings the audit trigger records on the 'create' row. */
  by?: { user?: AccountName; ip?: string; userAgent?: string };
};

export function fixtures(api: TestApi) {
  const internalId = (name: AccountName | null | undefined) => (name ? api.accounts[name].internalId : null);

  return {
    async client(owner: AccountName | null, values: ClientValues = {}) {
      const name = values.name ?? `Client ${suffix()}`;
      const id = await uuidOf(
        api.db,
        `INSERT INTO clients (name, company, status, tags, owner_user_id) VALUES ($1, $2, $3, $4, $5) RETURNING uuid`,
        [name, values.company ?? null, values.status ?? 'active', values.tags ?? [], internalId(owner)],
      );
      return { id, name };
    },

    task(clientId: string, values: TaskValues = {}) {
      return uuidOf(
        api.db,
        `INSERT INTO tasks (client_id, title, description, status, priority, due_date, assigned_user_id)
         SELECT id, $2, $3, $4, $5, COALESCE($6::date, (now() AT TIME ZONE $8)::date + $7::int), $9
         FROM clients WHERE uuid = $1 RETURNING uuid`,
        [
          clientId,
          values.title ?? `Task ${suffix()}`,
          values.description ?? null,
          values.status ?? 'pending',
          values.priority ?? 'medium',
          values.dueDate ?? null,
          values.dueIn ?? null,
          values.zone ?? 'UTC',
          internalId(values.assignee),
        ],
      );
    },

    /** Inserted the way a request does, in a transaction carrying `by` as the app.* settings. */
    async credential(clientId: string, values: CredentialValues = {}) {
      const label = values.label ?? `Login ${suffix()}`;
      const connection = await api.db.connect();
      try {
        await connection.query('BEGIN');
        await connection.query(
          `SELECT set_config('app.user_id', $1, true), set_config('app.ip_address', $2, true),
                  set_config('app.user_agent', $3, true)`,
          [String(internalId(values.by?.user) ?? ''), values.by?.ip ?? '', values.by?.userAgent ?? ''],
        );
        const id = await uuidOf(
          connection,
          `INSERT INTO credentials (client_id, label, encrypted_value, key_version)
           SELECT id, $2, encrypt_credential_value($3, $4), $5 FROM clients WHERE uuid = $1 RETURNING uuid`,
          [
            clientId,
            label,
            values.secret === undefined ? 'fixture-secret-value' : values.secret,
            values.key ?? testEncryptionKey,
            values.keyVersion ?? 1,
          ],
        );
        await connection.query('COMMIT');
        return { id, label };
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      } finally {
        connection.release();
      }
    },

    user(role = 'user') {
      return uuidOf(
        api.db,
        `INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Fixture User', $2, 'x') RETURNING uuid`,
        [`${suffix()}@fixture.example.com`, role],
      );
    },
  };
}

async function uuidOf(db: pg.Pool | pg.PoolClient, text: string, values: unknown[]) {
  const { rows } = await db.query<{ uuid: string }>(text, values);
  if (!rows[0]) throw new Error(`no row: ${text}`);
  return rows[0].uuid;
}

/** Row counts of every table a mutation can touch: equal before and after a refused request. */
export async function rowCounts(db: pg.Pool) {
  const { rows } = await db.query<Record<string, number>>(`
    SELECT (SELECT count(*)::int FROM users) AS users,
           (SELECT count(*)::int FROM clients) AS clients,
           (SELECT count(*)::int FROM tasks) AS tasks,
           (SELECT count(*)::int FROM credentials) AS credentials,
           (SELECT count(*)::int FROM credentials WHERE deleted_at IS NOT NULL) AS deleted_credentials,
           (SELECT count(*)::int FROM credential_audit_logs) AS audit_rows,
           (SELECT count(*)::int FROM user_sessions) AS sessions,
           (SELECT count(*)::int FROM users WHERE is_active) AS active_users`);
  return rows[0];
}
