/**
 * What deleting a row does to the rows that point at it (SET NULL or CASCADE, as the spec says, except
 * that the SET NULL would rewrite audit rows, which are append-only: 003_hardening), what
 * a reference to a missing row gets, and that UPDATE moves updated_at while created_at stays.
 */
import { describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import type { Queryable, Row, Table, Values } from './rows.ts';
import { insertAuditLog, insertClient, insertCredential, insertTask, insertUser, next, sqlError } from './rows.ts';

const db = useTestDatabase();

const missingId = 2_147_483_647;

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

describe('deleting a user (ON DELETE SET NULL)', () => {
  it('keeps the clients and tasks that pointed at the user, with the reference cleared', async () => {
    const { id: leaver } = await insertUser(db.pool);
    const { id: stayer } = await insertUser(db.pool);
    const { id: client } = await insertClient(db.pool, { owner_user_id: leaver, notes: 'kept' });
    const { id: otherClient } = await insertClient(db.pool, { owner_user_id: stayer });
    const { id: task } = await insertTask(db.pool, {
      client_id: otherClient,
      assigned_user_id: leaver,
      title: 'Still to do',
    });
    const { id: otherTask } = await insertTask(db.pool, { client_id: client, assigned_user_id: stayer });
    const { id: credential } = await insertCredential(db.pool, { client_id: client });

    const deleted = await db.pool.query('DELETE FROM users WHERE id = $1', [leaver]);
    expect(deleted.rowCount).toBe(1);

    expect(await find('users', leaver)).toBeUndefined();
    expect(await find('clients', client)).toMatchObject({ owner_user_id: null, notes: 'kept' });
    expect(await find('tasks', task)).toMatchObject({
      assigned_user_id: null,
      client_id: otherClient,
      title: 'Still to do',
    });
    // References to other users are untouched.
    expect(await find('clients', otherClient)).toMatchObject({ owner_user_id: stayer });
    expect(await find('tasks', otherTask)).toMatchObject({ assigned_user_id: stayer });
    expect(await find('credentials', credential)).toBeDefined();
  });

  it('is refused for a user with audit history, whose audit rows would lose who did it (append-only)', async () => {
    const { id: leaver } = await insertUser(db.pool);
    const { id: client } = await insertClient(db.pool, { owner_user_id: leaver });
    const { id: credential } = await insertCredential(db.pool, { client_id: client });
    const { id: audit } = await insertAuditLog(db.pool, {
      credential_id: credential,
      user_id: leaver,
      action: 'decrypt',
      ip_address: '192.0.2.7',
    });

    const refused = await sqlError(db.pool.query('DELETE FROM users WHERE id = $1', [leaver]));
    expect(refused).toMatchObject({
      code: 'MC004',
      message: `credential_audit_logs is append-only: user ${leaver} has audit history and cannot be deleted`,
    });
    expect(await find('users', leaver)).toBeDefined();
    expect(await find('clients', client)).toMatchObject({ owner_user_id: leaver });
    expect(await find('credential_audit_logs', audit)).toMatchObject({ user_id: leaver, action: 'decrypt' });
  });
});

describe('deleting a client (ON DELETE CASCADE)', () => {
  it("deletes its tasks, its credentials and their audit rows, and nothing of other clients'", async () => {
    const { id: owner } = await insertUser(db.pool);
    const { id: doomed } = await insertClient(db.pool, { owner_user_id: owner });
    const { id: kept } = await insertClient(db.pool, { owner_user_id: owner });
    const doomedTasks = [
      (await insertTask(db.pool, { client_id: doomed, assigned_user_id: owner })).id,
      (await insertTask(db.pool, { client_id: doomed })).id,
    ];
    const { id: keptTask } = await insertTask(db.pool, { client_id: kept, assigned_user_id: owner });
    const { id: doomedCredential } = await insertCredential(db.pool, { client_id: doomed });
    const { id: keptCredential } = await insertCredential(db.pool, { client_id: kept });
    await insertAuditLog(db.pool, { credential_id: doomedCredential, user_id: owner, action: 'decrypt' });
    await insertAuditLog(db.pool, { credential_id: keptCredential, user_id: owner, action: 'decrypt' });
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
    const { id: user } = await insertUser(db.pool);
    const { id: client } = await insertClient(db.pool);
    const { id: doomed } = await insertCredential(db.pool, { client_id: client });
    const { id: kept } = await insertCredential(db.pool, { client_id: client });
    await insertAuditLog(db.pool, { credential_id: doomed, user_id: user, action: 'view' });
    await insertAuditLog(db.pool, { credential_id: kept, user_id: user, action: 'view' });
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
  const cases: [string, string, () => Promise<Row>][] = [
    ['tasks.client_id', 'tasks_client_id_fkey', () => insertTask(db.pool, { client_id: missingId })],
    [
      'tasks.assigned_user_id',
      'tasks_assigned_user_id_fkey',
      async () => insertTask(db.pool, { client_id: (await insertClient(db.pool)).id, assigned_user_id: missingId }),
    ],
    ['credentials.client_id', 'credentials_client_id_fkey', () => insertCredential(db.pool, { client_id: missingId })],
    ['clients.owner_user_id', 'clients_owner_user_id_fkey', () => insertClient(db.pool, { owner_user_id: missingId })],
    [
      'credential_audit_logs.credential_id',
      'credential_audit_logs_credential_id_fkey',
      () => insertAuditLog(db.pool, { credential_id: missingId }),
    ],
    [
      'credential_audit_logs.user_id',
      'credential_audit_logs_user_id_fkey',
      async () => {
        const credential = await insertCredential(db.pool, { client_id: (await insertClient(db.pool)).id });
        return insertAuditLog(db.pool, { credential_id: credential.id, user_id: missingId });
      },
    ],
  ];

  it.each(cases)('refuses %s with 23503 %s', async (column, constraint, insert) => {
    const table = column.split('.')[0];
    expect(await sqlError(insert())).toMatchObject({ code: '23503', constraint, table });
  });

  it('refuses moving a task to a deleted client, and the task stays where it was', async () => {
    const { id: client } = await insertClient(db.pool);
    const { id: gone } = await insertClient(db.pool);
    await db.pool.query('DELETE FROM clients WHERE id = $1', [gone]);
    const { id: task } = await insertTask(db.pool, { client_id: client });
    const update = db.pool.query('UPDATE tasks SET client_id = $2 WHERE id = $1', [task, gone]);
    expect(await sqlError(update)).toMatchObject({ code: '23503', constraint: 'tasks_client_id_fkey', table: 'tasks' });
    expect(await find('tasks', task)).toMatchObject({ client_id: client });
  });
});

describe('updated_at', () => {
  type Timestamps = { created_at: string; updated_at: string };

  // Timestamps are read as text: a JavaScript Date would drop the microseconds.
  async function timestamps(on: Queryable, table: Table, id: number) {
    const { rows } = await on.query<Timestamps>(
      `SELECT created_at::text AS created_at, updated_at::text AS updated_at FROM ${table} WHERE id = $1`,
      [id],
    );
    return rows[0] as Timestamps;
  }

  const cases: [Table, string, () => Promise<Row>][] = [
    ['users', 'name', () => insertUser(db.pool)],
    ['clients', 'name', () => insertClient(db.pool)],
    ['tasks', 'title', async () => insertTask(db.pool, { client_id: (await insertClient(db.pool)).id })],
    ['credentials', 'label', async () => insertCredential(db.pool, { client_id: (await insertClient(db.pool)).id })],
  ];

  it.each(cases)(
    '%s: an UPDATE of %s sets updated_at to the time of the update and keeps created_at',
    async (table, column, insert) => {
      const { id } = await insert();
      const inserted = await timestamps(db.pool, table, id);
      expect(inserted.updated_at).toBe(inserted.created_at);

      // A later transaction: NOW() there is the time of the update, not of the insert.
      const { updateTime, updated } = await inTestTransaction(db.pool, {}, async (client) => {
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
