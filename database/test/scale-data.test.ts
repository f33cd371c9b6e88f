/**
 * The scale data (postgresql_mini_crm_scale_data.sql, `pnpm db scale`), at a hundredth of the full
 * set: rows of every kind, spread like the sample data; references that hold although a
 * superuser's load skips the foreign-key checks; an audit chain that `pnpm db verify-audit`
 * accepts and that the app's next append continues; and a schema left exactly as the migrations
 * made it, every index and trigger back.
 */
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadScaleData, type ScaleTimings, scaleSizes } from '../src/scale.ts';
import { createTestDatabase, useTestDatabase } from '../src/testing.ts';
import { verifyAuditChain } from '../src/verify-audit.ts';
import { one } from './rows.ts';

const db = useTestDatabase();
const sizes = scaleSizes(0.01);
const key = 'scale-test-encryption-key';
let timings: ScaleTimings;

/**
 * A partial index's predicate, deparsed and created again, spells its casts differently
 * ("(ARRAY['a'::character varying])::text[]" becomes "ARRAY[('a'::character varying)::text]"): same
 * predicate, same plans. Compared without casts and parentheses.
 */
const withoutCasts = (line: string) => line.replace(/::(character varying|text)(\[\])?|[()\s]/g, '');

/** The schema objects the load sets aside and must put back, as text, for comparing two databases. */
const schemaOf = async (pool: Pick<pg.Pool, 'query'>) =>
  (
    await pool.query<{ line: string }>(
      `SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = current_schema()
       UNION ALL
       SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint
       WHERE connamespace = current_schema()::regnamespace
       UNION ALL
       SELECT format('trigger %s on %s enabled=%s', tgname, tgrelid::regclass, tgenabled) FROM pg_trigger
       WHERE NOT tgisinternal
       ORDER BY 1`,
    )
  ).rows.map((row) => withoutCasts(row.line));

beforeAll(async () => {
  timings = await loadScaleData(db.url, sizes, key);
}, 300_000);

describe('pnpm db scale', () => {
  it('fills each table to the size asked for', async () => {
    const counts = await one(
      db.pool,
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM clients) AS clients,
              (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM credentials) AS credentials,
              (SELECT count(*)::int FROM credential_audit_logs) AS "auditRows"`,
    );
    expect(counts).toEqual(sizes);
    expect(timings.load).toBeGreaterThan(0);
  });

  it('spreads them like the sample data: statuses, zones, tags, urgencies, actions, deletions', async () => {
    const spread = await one(
      db.pool,
      `SELECT
         (SELECT array_agg(DISTINCT status ORDER BY status) FROM clients) AS statuses,
         (SELECT count(DISTINCT timezone)::int FROM clients) AS zones,
         (SELECT count(DISTINCT tag)::int FROM clients, unnest(tags) AS tag) AS tags,
         (SELECT count(DISTINCT owner_user_id)::int FROM clients) AS owners,
         (SELECT array_agg(DISTINCT urgency_status ORDER BY urgency_status) FROM task_overview) AS urgencies,
         (SELECT array_agg(DISTINCT status ORDER BY status) FROM tasks) AS task_statuses,
         (SELECT array_agg(DISTINCT action ORDER BY action) FROM credential_audit_logs) AS actions,
         (SELECT count(*)::int FROM credentials WHERE deleted_at IS NOT NULL) AS deleted,
         (SELECT count(*)::int FROM credential_audit_logs WHERE created_at > now() - interval '30 days') AS recent`,
    );
    expect(spread).toMatchObject({
      statuses: ['active', 'archived', 'inactive', 'prospect'],
      urgencies: ['due_soon', 'due_today', 'normal', 'overdue'],
      task_statuses: ['cancelled', 'completed', 'in_progress', 'on_hold', 'pending'],
      actions: ['create', 'decrypt', 'delete', 'update', 'view'],
    });
    expect(spread.zones).toBeGreaterThanOrEqual(20);
    expect(spread.tags).toBeGreaterThanOrEqual(15);
    expect(spread.owners).toBeGreaterThan(150);
    expect(spread.deleted).toBeGreaterThan(0);
    expect(spread.recent).toBeGreaterThan(0);
  });

  it('gives every credential one create row, dated with it, and a delete row to each deleted one', async () => {
    const { rows } = await db.pool.query<{ problem: string }>(
      `SELECT cd.id::text AS problem FROM credentials cd
       WHERE (SELECT count(*) FROM credential_audit_logs a WHERE a.credential_id = cd.id AND a.action = 'create'
                AND a.created_at = cd.created_at) <> 1
          OR (SELECT count(*) FROM credential_audit_logs a WHERE a.credential_id = cd.id AND a.action = 'delete')
             <> (cd.deleted_at IS NOT NULL)::int
          OR EXISTS (SELECT FROM credential_audit_logs a WHERE a.credential_id = cd.id
                     AND (a.created_at < cd.created_at OR a.created_at > COALESCE(cd.deleted_at, now())))`,
    );
    expect(rows).toEqual([]);
  });

  it('keeps every reference, though a superuser load skips the foreign-key checks', async () => {
    const orphans = await one(
      db.pool,
      `SELECT
         (SELECT count(*)::int FROM clients c WHERE c.owner_user_id IS NOT NULL AND NOT EXISTS (SELECT FROM users u WHERE u.id = c.owner_user_id)) +
         (SELECT count(*)::int FROM tasks t WHERE NOT EXISTS (SELECT FROM clients c WHERE c.id = t.client_id)) +
         (SELECT count(*)::int FROM tasks t WHERE t.assigned_user_id IS NOT NULL AND NOT EXISTS (SELECT FROM users u WHERE u.id = t.assigned_user_id)) +
         (SELECT count(*)::int FROM credentials cd WHERE NOT EXISTS (SELECT FROM clients c WHERE c.id = cd.client_id)) +
         (SELECT count(*)::int FROM credential_audit_logs a WHERE NOT EXISTS (SELECT FROM credentials cd WHERE cd.id = a.credential_id)) +
         (SELECT count(*)::int FROM credential_audit_logs a WHERE a.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM users u WHERE u.id = a.user_id))
         AS orphans`,
    );
    expect(orphans).toEqual({ orphans: 0 });
  });

  it('encrypts the secrets with the key it was given, and lets the demo accounts sign in', async () => {
    const checked = await one(
      db.pool,
      `SELECT bool_and(credential_key_matches(v, $1)) AS opens, bool_or(credential_key_matches(v, 'another-key-entirely')) AS wrong,
              (SELECT bool_and(password_hash = crypt('demo-password', password_hash)) FROM users
               WHERE email IN ('admin@example.com', 'manager@example.com', 'user@example.com')) AS demo
       FROM (SELECT DISTINCT encrypted_value AS v FROM credentials) AS secrets`,
      [key],
    );
    expect(checked).toEqual({ opens: true, wrong: false, demo: true });
  });

  it('chains the audit rows so that verify-audit finds the chain intact, and the next append continues it', async () => {
    const report = await verifyAuditChain(db.url);
    expect(report).toMatchObject({ rowsChecked: sizes.auditRows, firstBroken: null });
    expect(report.head.chainPosition).toBe(sizes.auditRows);

    // The app's path: an edit writes its audit row through the chain trigger.
    await db.pool.query(`UPDATE credentials SET notes = 'rotated' WHERE id = (SELECT min(id) FROM credentials)`);
    const after = await verifyAuditChain(db.url);
    expect(after).toMatchObject({ rowsChecked: sizes.auditRows + 1, firstBroken: null });
  });

  it('leaves the maintained figures equal to the rows', async () => {
    const mismatches = await one(
      db.pool,
      `SELECT
         (SELECT count(*)::int FROM (SELECT status, count(*) FROM clients GROUP BY status
                                     EXCEPT SELECT status, client_count FROM client_status_counts) x) AS statuses,
         (SELECT count(*)::int FROM (SELECT tag, count(DISTINCT id) FROM clients, unnest(tags) AS tag GROUP BY tag
                                     EXCEPT SELECT tag, client_count FROM client_tag_counts) x) AS tags,
         (SELECT count(*)::int FROM credential_audit_summary v LEFT JOIN credential_audit_stats s USING (credential_id)
          WHERE (s.access_count, s.view_count, s.decrypt_count, s.last_accessed_at, s.unique_user_count, s.unique_ip_count)
                IS DISTINCT FROM (v.access_count, v.view_count, v.decrypt_count, v.last_accessed_at, v.unique_user_count, v.unique_ip_count)
         ) AS audit,
         (SELECT count(*)::int FROM credential_audit_stats s
          JOIN credentials cd ON cd.id = s.credential_id JOIN clients cl ON cl.id = cd.client_id
          WHERE s.owner_user_id IS DISTINCT FROM cl.owner_user_id) AS owners`,
    );
    expect(mismatches).toEqual({ statuses: 0, tags: 0, audit: 0, owners: 0 });
  });

  it('puts back every index, constraint and trigger it set aside for the load', async () => {
    const fresh = await createTestDatabase(inject('postgres').adminUrl);
    const pool = new pg.Pool({ connectionString: fresh.url, max: 1 });
    try {
      expect(await schemaOf(db.pool)).toEqual(await schemaOf(pool));
    } finally {
      await pool.end();
      await fresh.drop();
    }
  });

  it('refuses a database that has users already', async () => {
    const error = await loadScaleData(db.url, sizes, key).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(String(error)).toMatch(/the database has users already/);
  });
});
