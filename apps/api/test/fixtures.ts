/**
 * Records for suites that exercise many procedures (the role matrix, the fuzz suite), made in SQL so
 * they do not depend on the procedures under test. Each function makes a fresh record and returns
 * its uuid.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { testEncryptionKey } from './api.ts';

const one = async (db: pg.Pool, text: string, values: unknown[]) => {
  const { rows } = await db.query<{ uuid: string }>(text, values);
  if (!rows[0]) throw new Error(`no row: ${text}`);
  return rows[0].uuid;
};

export const makeClient = (db: pg.Pool, ownerId: number | null, tags: string[] = []) =>
  one(db, 'INSERT INTO clients (name, owner_user_id, tags) VALUES ($1, $2, $3) RETURNING uuid', [
    `Client ${randomUUID().slice(0, 8)}`,
    ownerId,
    tags,
  ]);

export const makeTask = (db: pg.Pool, clientUuid: string, assigneeId: number | null = null) =>
  one(
    db,
    `INSERT INTO tasks (client_id, title, assigned_user_id, due_date)
     SELECT id, $2, $3, CURRENT_DATE - 1 FROM clients WHERE uuid = $1 RETURNING uuid`,
    [clientUuid, `Task ${randomUUID().slice(0, 8)}`, assigneeId],
  );

export const makeCredential = (db: pg.Pool, clientUuid: string, secret = 'fixture-secret-value') =>
  one(
    db,
    `INSERT INTO credentials (client_id, label, encrypted_value)
     SELECT id, $2, encrypt_credential_value($3, $4) FROM clients WHERE uuid = $1 RETURNING uuid`,
    [clientUuid, `Login ${randomUUID().slice(0, 8)}`, secret, testEncryptionKey],
  );

export const makeUser = (db: pg.Pool, role = 'user') =>
  one(db, `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, 'x') RETURNING uuid`, [
    `${randomUUID().slice(0, 12)}@fixture.example.com`,
    'Fixture User',
    role,
  ]);

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
