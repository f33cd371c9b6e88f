/**
 * postgresql_mini_crm_queries.sql (the spec's verification, usage, security and monitoring queries,
 * fixed per ERRATA) against the sample data: it runs as one multi-statement query, its answers make
 * sense, and running it leaves the data as it was.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlDir, withClient } from '../src/migrate.ts';
import { loadSampleData } from '../src/seed.ts';
import { useTestDatabase } from '../src/testing.ts';
import { one } from './rows.ts';

const db = useTestDatabase();
const queriesFile = join(sqlDir, 'postgresql_mini_crm_queries.sql');

const dateOid = 1082;
// Dates as the server prints them (YYYY-MM-DD), so they compare with CURRENT_DATE::text.
const dateAsText = (oid: number, format?: 'text' | 'binary') =>
  oid === dateOid ? (value: string) => value : pg.types.getTypeParser(oid, format);

/** Runs the whole file the way the pg driver sends it: one simple query, one result per statement. */
async function runQueriesFile(url: string) {
  const sql = await readFile(queriesFile, 'utf8');
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: dateAsText } });
  await client.connect();
  try {
    return (await client.query(sql)) as unknown as pg.QueryResult[];
  } finally {
    await client.end();
  }
}

/** The data the file must leave alone: row counts and the newest audit row. */
const snapshot = () =>
  withClient(db.url, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM credentials) AS credentials,
              (SELECT count(*)::int FROM credential_audit_logs) AS audit_rows,
              (SELECT max(id) FROM credential_audit_logs) AS last_audit_id,
              (SELECT count(*)::int FROM clients) AS clients,
              (SELECT count(*)::int FROM tasks) AS tasks,
              (SELECT count(*)::int FROM users) AS users`,
    );
    return rows[0];
  });

let results: pg.QueryResult[] = [];
let before: unknown;

beforeAll(async () => {
  await loadSampleData(db.url);
  before = await snapshot();
  results = await runQueriesFile(db.url);
});

/** The results of the file's queries that return exactly these columns, in this order. */
const resultsWith = (...columns: string[]) =>
  results.filter((result) => result.fields.map((field) => field.name).join(',') === columns.join(','));

/** The rows of the one query in the file that returns exactly these columns. */
function resultWith(...columns: string[]) {
  const matches = resultsWith(...columns);
  if (matches.length !== 1) throw new Error(`expected one query returning ${columns}, found ${matches.length}`);
  return (matches[0] as pg.QueryResult).rows;
}

const today = async () => (await one<{ today: string }>(db.pool, 'SELECT CURRENT_DATE::text AS today')).today;

describe('postgresql_mini_crm_queries.sql', () => {
  it('runs every statement as one multi-statement query, and leaves the data as it was', async () => {
    expect(results.length).toBeGreaterThanOrEqual(15);
    expect(await snapshot()).toEqual(before);
    // So it can run again.
    await runQueriesFile(db.url);
    expect(await snapshot()).toEqual(before);
  });

  it('verifies the installation: every table counts rows', () => {
    const rows = resultWith('table_name', 'record_count');
    expect(rows.map((row) => row.table_name)).toEqual([
      'clients',
      'credential_audit_logs',
      'credentials',
      'tasks',
      'users',
    ]);
    for (const row of rows) expect(Number(row.record_count), row.table_name).toBeGreaterThan(0);
  });

  it('lists the active clients with their task statistics', async () => {
    const rows = resultWith('name', 'company', 'task_count', 'pending_tasks', 'credential_count');
    const active = await one<{ count: number }>(
      db.pool,
      "SELECT count(*)::int AS count FROM clients WHERE status = 'active'",
    );
    expect(rows).toHaveLength(active.count);
    const taskCounts = rows.map((row) => Number(row.task_count));
    expect(taskCounts).toEqual([...taskCounts].sort((a, b) => b - a));
  });

  it('finds the overdue tasks: open ones due before today, oldest first', async () => {
    const rows = resultWith('title', 'client_name', 'due_date', 'priority', 'assigned_user_name');
    const open = await one<{ count: number }>(
      db.pool,
      `SELECT count(*)::int AS count FROM tasks
       WHERE status NOT IN ('completed', 'cancelled') AND due_date < CURRENT_DATE`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(open.count);
    const now = await today();
    for (const row of rows) expect(row.due_date < now, `${row.title} due ${row.due_date}`).toBe(true);
    const dates = rows.map((row) => row.due_date);
    expect(dates).toEqual([...dates].sort());
  });

  it('searches clients by tags, and the audit trail of reveals with names (ERRATA 2)', () => {
    // The spec's search by two tags, and find_clients_by_tag('enterprise').
    const [anyTag, enterprise] = resultsWith('name', 'company', 'tags');
    expect(anyTag?.rows.length).toBeGreaterThan(enterprise?.rows.length ?? Infinity);
    for (const row of anyTag?.rows ?? []) {
      expect(
        row.tags.some((tag: string) => tag === 'enterprise' || tag === 'high-value'),
        row.name,
      ).toBe(true);
    }
    expect(enterprise?.rows.length).toBeGreaterThan(0);
    for (const row of enterprise?.rows ?? []) expect(row.tags, row.name).toContain('enterprise');

    const reveals = resultWith('action', 'created_at', 'user_name', 'credential_label', 'ip_address');
    expect(reveals.length).toBeGreaterThan(0);
    for (const row of reveals) {
      expect(row.action).toBe('decrypt');
      expect(row.user_name).toMatch(/\S/);
      expect(row.credential_label).toMatch(/\S/);
    }
    const times = reveals.map((row) => row.created_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('creates, reveals and logs a credential inside its rolled-back transaction (ERRATA 4 and 5)', () => {
    expect(resultWith('revealed')).toEqual([{ revealed: 'secure_password' }]);
    expect(resultWith('round_trip')).toEqual([{ round_trip: 'my_password' }]);
  });

  it('finds credentials not accessed for 30 days', async () => {
    const rows = resultWith('label', 'name', 'last_access');
    expect(rows.length).toBeGreaterThan(0);
    const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
    for (const row of rows) {
      if (row.last_access !== null) expect(row.last_access.getTime(), row.label).toBeLessThan(monthAgo);
    }
  });

  it('reports index usage and table sizes (ERRATA 3)', () => {
    const indexes = resultWith('schemaname', 'tablename', 'indexname', 'idx_tup_read', 'idx_tup_fetch');
    expect(indexes.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(['users_email_key', 'idx_clients_tags', 'idx_tasks_open_due_date']),
    );
    const sizes = resultWith('tablename', 'size');
    expect(sizes.map((row) => row.tablename)).toEqual(
      expect.arrayContaining(['users', 'clients', 'tasks', 'credentials', 'credential_audit_logs']),
    );
    for (const row of sizes) expect(row.size).toMatch(/^\d+ (bytes|kB|MB)$/);
  });

  it('flags the credential with unusual access in the last 24 hours', () => {
    const rows = resultWith('credential_id', 'label', 'access_count', 'unique_ips', 'unique_users');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Number(row.access_count) > 10 || Number(row.unique_ips) > 3, row.label).toBe(true);
    }
    expect(rows.map((row) => row.label)).toContain('AWS Console');
  });
});
