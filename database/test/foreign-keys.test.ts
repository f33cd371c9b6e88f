/**
 * What deleting a row does to the rows that point at it (SET NULL or CASCADE, as the spec says), what
 * a reference to a missing row gets, and that UPDATE moves updated_at while created_at stays.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './database.ts';

const db = useTestDatabase();

const testKey = 'foreign-keys-test-key';
const missingId = 2_147_483_647;

type Values = Record<string, unknown>;
type Table = 'users' | 'clients' | 'tasks' | 'credentials' | 'credential_audit_logs';

let serial = 0;
const next = () => ++serial;

/** Inserts one row and returns its id; column names come from this file, never from data. */
async function insertRow(table: Table, values: Values) {
  const columns = Object.keys(values);
  const params = columns.map((_, index) => `$${index + 1}`);
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.join(', ')}) RETURNING id`,
    Object.values(values),
  );
  return (rows[0] as { id: number }).id;
}

function insertUser(values: Values = {}) {
  const n = next();
  return insertRow('users', { email: `fk${n}@example.com`, name: `User ${n}`, password_hash: 'x', ...values });
}

function insertClient(values: Values = {}) {
  return insertRow('clients', { name: `Client ${next()}`, ...values });
}

function insertTask(clientId: number, values: Values = {}) {
  return insertRow('tasks', { client_id: clientId, title: `Task ${next()}`, ...values });
}

async function insertCredential(clientId: number, values: Values = {}) {
  const { rows } = await db.pool.query('SELECT encrypt_credential_value($1, $2) AS data', ['s3cret', testKey]);
  return insertRow('credentials', {
    client_id: clientId,
    label: `Credential ${next()}`,
    encrypted_value: rows[0].data,
    ...values,
  });
}

function insertAuditLog(credentialId: number, values: Values = {}) {
  return insertRow('credential_audit_logs', { credential_id: credentialId, action: 'view', ...values });
}

/** The row's columns, or undefined when the row is gone. */
async function find(table: Table, id: number) {
  const { rows } = await db.pool.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  return rows[0] as Values | undefined;
}

async function auditIds(credentialId: number) {
  const { rows } = await db.pool.query<{ id: number }>(
    'SELECT id FROM credential_audit_logs WHERE credential_id = $1 ORDER BY id',
    [credentialId],
  );
  return rows.map((row) => row.id);
}

/** The error PostgreSQL refused a statement with; fails the test when the statement succeeded. */
async function refusal(statement: Promise<unknown>) {
  try {
    await statement;
  } catch (error) {
    if (!(error instanceof pg.DatabaseError)) throw error;
    const { code, constraint, table } = error;
    return { code, constraint, table };
  }
  throw new Error('expected PostgreSQL to refuse the statement, but it succeeded');
}

describe('deleting a user (ON DELETE SET NULL)', () => {
  it('keeps the clients, tasks and audit rows that pointed at the user, with the reference cleared', async () => {
    const leaver = await insertUser();
    const stayer = await insertUser();
    const client = await insertClient({ owner_user_id: leaver, notes: 'kept' });
    const otherClient = await insertClient({ owner_user_id: stayer });
    const task = await insertTask(otherClient, { assigned_user_id: leaver, title: 'Still to do' });
    const otherTask = await insertTask(client, { assigned_user_id: stayer });
    const credential = await insertCredential(client);
    const audit = await insertAuditLog(credential, { user_id: leaver, action: 'decrypt', ip_address: '192.0.2.7' });
    const otherAudit = await insertAuditLog(credential, { user_id: stayer });

    const deleted = await db.pool.query('DELETE FROM users WHERE id = $1', [leaver]);
    expect(deleted.rowCount).toBe(1);

    expect(await find('users', leaver)).toBeUndefined();
    expect(await find('clients', client)).toMatchObject({ owner_user_id: null, notes: 'kept' });
    expect(await find('tasks', task)).toMatchObject({
      assigned_user_id: null,
      client_id: otherClient,
      title: 'Still to do',
    });
    expect(await find('credential_audit_logs', audit)).toMatchObject({
      user_id: null,
      credential_id: credential,
      action: 'decrypt',
      ip_address: '192.0.2.7',
    });
    // References to other users are untouched.
    expect(await find('clients', otherClient)).toMatchObject({ owner_user_id: stayer });
    expect(await find('tasks', otherTask)).toMatchObject({ assigned_user_id: stayer });
    expect(await find('credential_audit_logs', otherAudit)).toMatchObject({ user_id: stayer });
    expect(await find('credentials', credential)).toBeDefined();
  });
});

describe('deleting a client (ON DELETE CASCADE)', () => {
  it("deletes its tasks, its credentials and their audit rows, and nothing of other clients'", async () => {
    const owner = await insertUser();
    const doomed = await insertClient({ owner_user_id: owner });
    const kept = await insertClient({ owner_user_id: owner });
    const doomedTasks = [await insertTask(doomed, { assigned_user_id: owner }), await insertTask(doomed)];
    const keptTask = await insertTask(kept, { assigned_user_id: owner });
    const doomedCredential = await insertCredential(doomed);
    const keptCredential = await insertCredential(kept);
    await insertAuditLog(doomedCredential, { user_id: owner, action: 'decrypt' });
    await insertAuditLog(keptCredential, { user_id: owner, action: 'decrypt' });
    const doomedAudit = await auditIds(doomedCredential);
    const keptAudit = await auditIds(keptCredential);
    // The insert trigger wrote a 'create' row for each credential, plus the 'decrypt' above.
    expect(doomedAudit).toHaveLength(2);
    expect(keptAudit).toHaveLength(2);

    const deleted = await db.pool.query('DELETE FROM clients WHERE id = $1', [doomed]);
    expect(deleted.rowCount).toBe(1);

    for (const task of doomedTasks) expect(await find('tasks', task)).toBeUndefined();
    expect(await find('credentials', doomedCredential)).toBeUndefined();
    for (const audit of doomedAudit) expect(await find('credential_audit_logs', audit)).toBeUndefined();

    expect(await find('clients', kept)).toBeDefined();
    expect(await find('tasks', keptTask)).toMatchObject({ client_id: kept, assigned_user_id: owner });
    expect(await find('credentials', keptCredential)).toMatchObject({ client_id: kept });
    expect(await auditIds(keptCredential)).toEqual(keptAudit);
    expect(await find('users', owner)).toBeDefined();
  });
});

describe('deleting a credential (ON DELETE CASCADE)', () => {
  it('deletes its audit rows and leaves the client, its other credentials and their history', async () => {
    const user = await insertUser();
    const client = await insertClient();
    const doomed = await insertCredential(client);
    const kept = await insertCredential(client);
    await insertAuditLog(doomed, { user_id: user, action: 'view' });
    await insertAuditLog(kept, { user_id: user, action: 'view' });
    const doomedAudit = await auditIds(doomed);
    const keptAudit = await auditIds(kept);
    expect(doomedAudit.length).toBeGreaterThan(0);

    const deleted = await db.pool.query('DELETE FROM credentials WHERE id = $1', [doomed]);
    expect(deleted.rowCount).toBe(1);

    for (const audit of doomedAudit) expect(await find('credential_audit_logs', audit)).toBeUndefined();
    expect(await auditIds(doomed)).toEqual([]);
    expect(await auditIds(kept)).toEqual(keptAudit);
    expect(await find('clients', client)).toBeDefined();
    expect(await find('users', user)).toBeDefined();
  });
});

describe('references to a row that does not exist', () => {
  const cases: [string, string, () => Promise<number>][] = [
    ['tasks.client_id', 'tasks_client_id_fkey', () => insertTask(missingId)],
    [
      'tasks.assigned_user_id',
      'tasks_assigned_user_id_fkey',
      async () => insertTask(await insertClient(), { assigned_user_id: missingId }),
    ],
    ['credentials.client_id', 'credentials_client_id_fkey', () => insertCredential(missingId)],
    ['clients.owner_user_id', 'clients_owner_user_id_fkey', () => insertClient({ owner_user_id: missingId })],
    [
      'credential_audit_logs.credential_id',
      'credential_audit_logs_credential_id_fkey',
      () => insertAuditLog(missingId),
    ],
    [
      'credential_audit_logs.user_id',
      'credential_audit_logs_user_id_fkey',
      async () => insertAuditLog(await insertCredential(await insertClient()), { user_id: missingId }),
    ],
  ];

  it.each(cases)('refuses %s with 23503 %s', async (column, constraint, insert) => {
    const table = column.split('.')[0];
    expect(await refusal(insert())).toEqual({ code: '23503', constraint, table });
  });

  it('refuses moving a task to a deleted client, and the task stays where it was', async () => {
    const client = await insertClient();
    const gone = await insertClient();
    await db.pool.query('DELETE FROM clients WHERE id = $1', [gone]);
    const task = await insertTask(client);
    const update = db.pool.query('UPDATE tasks SET client_id = $2 WHERE id = $1', [task, gone]);
    expect(await refusal(update)).toEqual({ code: '23503', constraint: 'tasks_client_id_fkey', table: 'tasks' });
    expect(await find('tasks', task)).toMatchObject({ client_id: client });
  });
});

describe('updated_at', () => {
  type Timestamps = { created_at: string; updated_at: string };

  // Timestamps are read as text: a JavaScript Date would drop the microseconds.
  async function timestamps(on: Pick<pg.PoolClient, 'query'>, table: Table, id: number) {
    const { rows } = await on.query<Timestamps>(
      `SELECT created_at::text AS created_at, updated_at::text AS updated_at FROM ${table} WHERE id = $1`,
      [id],
    );
    return rows[0] as Timestamps;
  }

  async function committed<T>(work: (client: pg.PoolClient) => Promise<T>) {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  const cases: [Table, string, () => Promise<number>][] = [
    ['users', 'name', () => insertUser()],
    ['clients', 'name', () => insertClient()],
    ['tasks', 'title', async () => insertTask(await insertClient())],
    ['credentials', 'label', async () => insertCredential(await insertClient())],
  ];

  it.each(cases)(
    '%s: an UPDATE of %s sets updated_at to the time of the update and keeps created_at',
    async (table, column, insert) => {
      const id = await insert();
      const inserted = await timestamps(db.pool, table, id);
      expect(inserted.updated_at).toBe(inserted.created_at);

      // A later transaction: NOW() there is the time of the update, not of the insert.
      const { updateTime, updated } = await committed(async (client) => {
        const { rows } = await client.query('SELECT now()::text AS now');
        await client.query(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [id, `Renamed ${next()}`]);
        return { updateTime: rows[0].now as string, updated: await timestamps(client, table, id) };
      });

      expect(updated.created_at).toBe(inserted.created_at);
      expect(updated.updated_at).toBe(updateTime);
      const { rows } = await db.pool.query('SELECT $1::timestamptz > $2::timestamptz AS later', [
        updated.updated_at,
        inserted.updated_at,
      ]);
      expect(rows[0].later).toBe(true);
    },
  );
});
