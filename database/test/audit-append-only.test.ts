/**
 * credential_audit_logs is append-only (003_hardening): UPDATE, DELETE and TRUNCATE are refused with
 * MC004 even for the database owner (here a superuser). The one way rows go is ON DELETE CASCADE
 * when the owner purges a credential on purpose, and each purged row's chain link is kept.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/testing.ts';
import { insertAuditLog, insertClient, insertCredential, insertUser, one, sqlError } from './rows.ts';

const db = useTestDatabase();

let userId: number;
let clientId: number;
let credentialId: number;
let auditId: number;
beforeAll(async () => {
  userId = (await insertUser(db.pool)).id;
  clientId = (await insertClient(db.pool)).id;
  credentialId = (await insertCredential(db.pool, { client_id: clientId })).id;
  auditId = (await insertAuditLog(db.pool, { credential_id: credentialId, user_id: userId, action: 'decrypt' })).id;
});

const auditRow = (id: number) =>
  one<{ action: string; user_id: number | null }>(
    db.pool,
    'SELECT action, user_id FROM credential_audit_logs WHERE id = $1',
    [id],
  );
const auditCount = async () =>
  (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM credential_audit_logs')).n;

describe('the audit log refuses, even to its owner', () => {
  it('UPDATE', async () => {
    const error = await sqlError(
      db.pool.query("UPDATE credential_audit_logs SET action = 'view' WHERE id = $1", [auditId]),
    );
    expect(error).toMatchObject({ code: 'MC004', message: 'credential_audit_logs is append-only: UPDATE refused' });
    expect(await auditRow(auditId)).toEqual({ action: 'decrypt', user_id: userId });
  });

  it('DELETE', async () => {
    const error = await sqlError(db.pool.query('DELETE FROM credential_audit_logs WHERE id = $1', [auditId]));
    expect(error).toMatchObject({ code: 'MC004', message: 'credential_audit_logs is append-only: DELETE refused' });
    expect(await auditRow(auditId)).toEqual({ action: 'decrypt', user_id: userId });
  });

  it('TRUNCATE, also as the cascade of truncating the tables it hangs from', async () => {
    const before = await auditCount();
    for (const statement of [
      'TRUNCATE credential_audit_logs',
      'TRUNCATE credentials CASCADE',
      'TRUNCATE clients CASCADE',
    ]) {
      const error = await sqlError(db.pool.query(statement));
      expect(error, statement).toMatchObject({
        code: 'MC004',
        message: 'credential_audit_logs is append-only: TRUNCATE refused',
      });
    }
    expect(await auditCount()).toBe(before);
  });

  it('a user with audit history cannot be deleted (ON DELETE SET NULL would erase who did it)', async () => {
    const error = await sqlError(db.pool.query('DELETE FROM users WHERE id = $1', [userId]));
    expect(error.code).toBe('MC004');
    expect(await auditRow(auditId)).toEqual({ action: 'decrypt', user_id: userId });
  });
});

describe('purging a credential (the owner, on purpose)', () => {
  it("takes its audit rows with it (ON DELETE CASCADE) and records each row's chain link", async () => {
    const { id: doomed } = await insertCredential(db.pool, { client_id: clientId });
    await insertAuditLog(db.pool, { credential_id: doomed, user_id: userId, action: 'view' });
    const { rows: before } = await db.pool.query(
      'SELECT chain_position, id, uuid, prev_hash, row_hash FROM credential_audit_logs WHERE credential_id = $1 ORDER BY chain_position',
      [doomed],
    );
    expect(before).toHaveLength(2); // 'create' and 'view'

    const deleted = await db.pool.query('DELETE FROM credentials WHERE id = $1', [doomed]);
    expect(deleted.rowCount).toBe(1);

    const { rows: left } = await db.pool.query('SELECT id FROM credential_audit_logs WHERE credential_id = $1', [
      doomed,
    ]);
    expect(left).toEqual([]);
    const { rows: purges } = await db.pool.query(
      `SELECT chain_position, audit_id AS id, audit_uuid AS uuid, prev_hash, row_hash, purged_by = current_user AS is_by_me,
              purged_at > now() - interval '1 minute' AS is_recent
       FROM credential_audit_purges WHERE credential_id = $1 ORDER BY chain_position`,
      [doomed],
    );
    expect(purges).toEqual(before.map((row) => ({ ...row, is_by_me: true, is_recent: true })));
    // The other credential's history is untouched.
    expect(await auditRow(auditId)).toEqual({ action: 'decrypt', user_id: userId });
  });

  it('leaves a purge log that is append-only too', async () => {
    for (const [operation, statement] of [
      ['UPDATE', "UPDATE credential_audit_purges SET purged_by = 'nobody'"],
      ['DELETE', 'DELETE FROM credential_audit_purges'],
      ['TRUNCATE', 'TRUNCATE credential_audit_purges'],
    ]) {
      expect(await sqlError(db.pool.query(statement as string)), operation).toMatchObject({
        code: 'MC004',
        message: `credential_audit_purges is append-only: ${operation} refused`,
      });
    }
  });
});
