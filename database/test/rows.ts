/**
 * Hand-made rows for the schema tests: each builder inserts one row with plain defaults and returns
 * its id, so a test spells out only the columns its assertion is about.
 */
import type pg from 'pg';

/** A pool or a client inside a transaction: the builders work with both. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** The key the credential builder encrypts with unless told otherwise. */
export const testKey = 'test-encryption-key';

let serial = 0;
const next = () => ++serial;

/** Runs a query that must return exactly one row, and returns it. */
export async function one<T extends pg.QueryResultRow>(db: Queryable, text: string, values: unknown[] = []) {
  const { rows } = await db.query<T>(text, values);
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${text}`);
  return rows[0] as T;
}

// Column names come from the test code, never from data.
async function insertRow(db: Queryable, table: string, values: Record<string, unknown>) {
  const columns = Object.keys(values);
  const params = columns.map((_, index) => `$${index + 1}`);
  const row = await one<{ id: number }>(
    db,
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.join(', ')}) RETURNING id`,
    Object.values(values),
  );
  return row.id;
}

export function insertUser(db: Queryable, values: Record<string, unknown> = {}) {
  const n = next();
  return insertRow(db, 'users', {
    email: `user${n}@example.com`,
    name: `User ${n}`,
    password_hash: 'not-a-real-hash',
    ...values,
  });
}

export function insertClient(db: Queryable, values: Record<string, unknown> = {}) {
  return insertRow(db, 'clients', { name: `Client ${next()}`, ...values });
}

export type TaskValues = {
  clientId: number;
  title?: string;
  status?: string;
  /** due_date = CURRENT_DATE + dueInDays, computed by the server in the caller's transaction; null: no due date. */
  dueInDays?: number | null;
  assignedUserId?: number | null;
};

export async function insertTask(db: Queryable, task: TaskValues) {
  const row = await one<{ id: number }>(
    db,
    `INSERT INTO tasks (client_id, title, status, due_date, assigned_user_id)
     VALUES ($1, $2, $3, CURRENT_DATE + $4::int, $5) RETURNING id`,
    [
      task.clientId,
      task.title ?? `Task ${next()}`,
      task.status ?? 'pending',
      task.dueInDays ?? null,
      task.assignedUserId ?? null,
    ],
  );
  return row.id;
}

export type CredentialValues = {
  clientId: number;
  label?: string;
  username?: string | null;
  /** Stored encrypted with `key` (testKey by default); null leaves encrypted_value NULL. */
  secret?: string | null;
  key?: string;
};

export async function insertCredential(db: Queryable, credential: CredentialValues) {
  const row = await one<{ id: number }>(
    db,
    `INSERT INTO credentials (client_id, label, username, encrypted_value)
     VALUES ($1, $2, $3, encrypt_credential_value($4, $5)) RETURNING id`,
    [
      credential.clientId,
      credential.label ?? `Credential ${next()}`,
      credential.username ?? null,
      credential.secret ?? null,
      credential.key ?? testKey,
    ],
  );
  return row.id;
}

/** The SQLSTATE and message a statement failed with; throws when it succeeded instead. */
export async function sqlError(statement: Promise<unknown>) {
  let result: unknown;
  try {
    result = await statement;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code, message };
  }
  throw new Error(
    `expected the statement to fail, but it returned ${JSON.stringify((result as { rows?: unknown })?.rows)}`,
  );
}
