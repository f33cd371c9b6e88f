/**
 * Hand-made rows for the schema tests: each builder inserts one row with plain defaults and returns
 * it whole, so a test spells out only the columns its assertion is about.
 */
import pg from 'pg';

/** A pool or a client inside a transaction: the builders work with both. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

export type Table = 'users' | 'clients' | 'tasks' | 'credentials' | 'credential_audit_logs';

/** Column values by column name. */
export type Values = Record<string, unknown>;

/** A row as RETURNING * gives it back. */
export type Row = { id: number; [column: string]: unknown };

/** The key the credential builder encrypts with unless told otherwise. */
export const testKey = 'test-encryption-key';

let serial = 0;
/** A number no earlier call in this test file returned: unique names, emails and titles. */
export const next = () => ++serial;

/** Runs a query that must return exactly one row, and returns it. */
export async function one<T extends pg.QueryResultRow>(db: Queryable, text: string, values: unknown[] = []) {
  const { rows } = await db.query<T>(text, values);
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${text}`);
  return rows[0] as T;
}

/** Inserts exactly the given columns and returns the row. Column names come from test code, never from data. */
export function insertRow(db: Queryable, table: Table, values: Values) {
  const columns = Object.keys(values);
  const params = columns.map((_, index) => `$${index + 1}`);
  return one<Row>(
    db,
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.join(', ')}) RETURNING *`,
    Object.values(values),
  );
}

export function insertUser(db: Queryable, values: Values = {}) {
  const n = next();
  return insertRow(db, 'users', {
    email: `user${n}@example.com`,
    name: `User ${n}`,
    password_hash: 'not-a-real-hash',
    ...values,
  });
}

export function insertClient(db: Queryable, values: Values = {}) {
  return insertRow(db, 'clients', { name: `Client ${next()}`, ...values });
}

export type TaskValues = Values & {
  client_id: unknown;
  /** due_date = CURRENT_DATE + dueInDays, as the server sees today in the caller's transaction and time zone. */
  dueInDays?: number | null;
};

export async function insertTask(db: Queryable, { dueInDays, ...values }: TaskValues) {
  // Asked of the server on the same connection, so a test's transaction fixes the date it is relative to.
  const due =
    dueInDays == null
      ? {}
      : await one<{ due_date: string }>(db, 'SELECT (CURRENT_DATE + $1::int)::text AS due_date', [dueInDays]);
  return insertRow(db, 'tasks', { title: `Task ${next()}`, ...values, ...due });
}

export type CredentialValues = Values & {
  client_id: unknown;
  /** Stored as encrypted_value, encrypted with `key`; without it encrypted_value is whatever `values` say, or NULL. */
  secret?: string;
  key?: string;
};

export async function insertCredential(db: Queryable, { secret, key = testKey, ...values }: CredentialValues) {
  const encrypted =
    secret === undefined
      ? {}
      : await one<{ encrypted_value: Buffer }>(db, 'SELECT encrypt_credential_value($1, $2) AS encrypted_value', [
          secret,
          key,
        ]);
  return insertRow(db, 'credentials', { label: `Credential ${next()}`, ...values, ...encrypted });
}

export function insertAuditLog(db: Queryable, values: Values & { credential_id: unknown }) {
  return insertRow(db, 'credential_audit_logs', { action: 'view', ...values });
}

/** How PostgreSQL refused a statement; throws when the statement succeeded, or failed some other way. */
export async function sqlError(statement: Promise<unknown>) {
  let result: unknown;
  try {
    result = await statement;
  } catch (error) {
    if (!(error instanceof pg.DatabaseError)) throw error;
    const { code, constraint, table, column, message } = error;
    return { code, constraint, table, column, message };
  }
  const returned = (result as { rows?: unknown })?.rows ?? result;
  throw new Error(`expected PostgreSQL to refuse the statement, but it returned ${JSON.stringify(returned)}`);
}
