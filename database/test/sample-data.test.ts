/**
 * The sample data as a user of the demo meets it: the spec's "Verify Installation" counts, the demo
 * accounts, a CRM full enough to try every filter, tasks due around today, credentials that open
 * with the demo key, and an audit trail that the spec's monitoring queries have something to show.
 */
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { demoEncryptionKey, loadSampleData } from '../src/seed.ts';
import { createTestDatabase, useTestDatabase } from '../src/testing.ts';
import { one, sqlError } from './rows.ts';
import { countsByTable, verifyInstallationQuery } from './verify-installation.ts';

const db = useTestDatabase();
beforeAll(() => loadSampleData(db.url));

const demoAccounts = [
  { email: 'admin@example.com', role: 'admin' },
  { email: 'manager@example.com', role: 'manager' },
  { email: 'user@example.com', role: 'user' },
];

async function tableCounts(pool: pg.Pool) {
  const { rows } = await pool.query<{ table_name: string; record_count: string }>(verifyInstallationQuery);
  return countsByTable(rows);
}

async function column<T>(sql: string, values: unknown[] = []) {
  const { rows } = await db.pool.query<{ value: T }>(sql, values);
  return rows.map((row) => row.value);
}

describe('the sample data', () => {
  it('fills every table of the spec\'s "Verify Installation" query', async () => {
    const counts = await tableCounts(db.pool);
    expect(Object.keys(counts)).toEqual(['clients', 'credential_audit_logs', 'credentials', 'tasks', 'users']);
    for (const [table, count] of Object.entries(counts)) expect(count, table).toBeGreaterThan(0);
  });

  it('has the three demo accounts, active, with their roles and the password demo-password', async () => {
    const { rows } = await db.pool.query(
      `SELECT email, role, is_active,
              password_hash = crypt('demo-password', password_hash) AS demo_password_works,
              password_hash = crypt('wrong-password', password_hash) AS wrong_password_works,
              password_hash LIKE '$2_$10$%' AS is_bcrypt_cost_10
       FROM users WHERE email = ANY($1) ORDER BY role`,
      [demoAccounts.map((account) => account.email)],
    );
    expect(rows).toEqual(
      demoAccounts.map((account) => ({
        ...account,
        is_active: true,
        demo_password_works: true,
        wrong_password_works: false,
        is_bcrypt_cost_10: true,
      })),
    );
  });

  it('has at least five users in every role and several time zones, and an inactive one', async () => {
    const users = await one<{ total: number; roles: string[]; zones: number; inactive: number; works: number }>(
      db.pool,
      `SELECT count(*)::int AS total, array_agg(DISTINCT role ORDER BY role) AS roles,
              count(DISTINCT timezone)::int AS zones, count(*) FILTER (WHERE NOT is_active)::int AS inactive,
              count(*) FILTER (WHERE password_hash = crypt('demo-password', password_hash))::int AS works
       FROM users`,
    );
    expect(users.total).toBeGreaterThanOrEqual(5);
    expect(users.roles).toEqual(['admin', 'manager', 'user']);
    expect(users.zones).toBeGreaterThanOrEqual(3);
    expect(users.inactive).toBeGreaterThanOrEqual(1);
    expect(users.works).toBe(users.total);
  });

  it('has at least 30 clients in every status, with tags, time zones, https websites and several owners', async () => {
    const clients = await one<{
      total: number;
      statuses: string[];
      zones: number;
      owners: number;
      websites: number;
      https: number;
    }>(
      db.pool,
      `SELECT count(*)::int AS total, array_agg(DISTINCT status ORDER BY status) AS statuses,
              count(DISTINCT timezone)::int AS zones, count(DISTINCT owner_user_id)::int AS owners,
              count(website_url)::int AS websites, count(*) FILTER (WHERE website_url LIKE 'https://%')::int AS https
       FROM clients`,
    );
    expect(clients.total).toBeGreaterThanOrEqual(30);
    expect(clients.statuses).toEqual(['active', 'archived', 'inactive', 'prospect']);
    expect(clients.zones).toBeGreaterThanOrEqual(3);
    expect(clients.owners).toBeGreaterThanOrEqual(3);
    expect(clients.websites).toBeGreaterThan(clients.total / 2);
    expect(clients.https).toBe(clients.websites);

    const tags = await column<string>('SELECT DISTINCT unnest(tags) AS value FROM clients');
    expect(tags).toEqual(expect.arrayContaining(['enterprise', 'high-value', 'smb', 'agency', 'retail', 'saas']));
    // The spec's tag searches find something.
    expect(await column("SELECT name AS value FROM find_clients_by_tag('enterprise')")).not.toEqual([]);
    const both = await column<string[]>(
      "SELECT tags AS value FROM clients WHERE tags @> ARRAY['enterprise', 'high-value']",
    );
    expect(both.length).toBeGreaterThan(0);
  });

  it('has at least 100 tasks in every status and priority, with and without due dates', async () => {
    const tasks = await one<{ total: number; statuses: string[]; priorities: string[]; undated: number; far: number }>(
      db.pool,
      `SELECT count(*)::int AS total, array_agg(DISTINCT status ORDER BY status) AS statuses,
              array_agg(DISTINCT priority ORDER BY priority) AS priorities,
              count(*) FILTER (WHERE due_date IS NULL)::int AS undated,
              count(*) FILTER (WHERE due_date > CURRENT_DATE + 90)::int AS far
       FROM tasks`,
    );
    expect(tasks.total).toBeGreaterThanOrEqual(100);
    expect(tasks.statuses).toEqual(['cancelled', 'completed', 'in_progress', 'on_hold', 'pending']);
    expect(tasks.priorities).toEqual(['high', 'low', 'medium', 'urgent']);
    expect(tasks.undated).toBeGreaterThan(0);
    expect(tasks.far).toBeGreaterThan(0);
  });

  it('has open tasks overdue, due today and due soon, whatever the day it was loaded', async () => {
    const urgencies = await column<string>(
      'SELECT DISTINCT urgency_status AS value FROM task_overview WHERE is_open ORDER BY 1',
    );
    expect(urgencies).toEqual(['due_soon', 'due_today', 'normal', 'overdue']);
    // Each demo account has its own agenda: something late and something for today.
    const { rows } = await db.pool.query(
      `SELECT assigned_user_email AS email, array_agg(DISTINCT urgency_status ORDER BY urgency_status) AS urgencies
       FROM task_overview
       WHERE is_open AND urgency_status IN ('overdue', 'due_today') AND assigned_user_email = ANY($1)
       GROUP BY assigned_user_email ORDER BY assigned_user_email`,
      [demoAccounts.map((account) => account.email)],
    );
    expect(rows).toEqual(
      demoAccounts
        .map((account) => ({ email: account.email, urgencies: ['due_today', 'overdue'] }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    );
  });

  it('has at least 20 credentials that open with the demo key, and only with it', async () => {
    const credentials = await db.pool.query<{ label: string; url: string; plaintext: string }>(
      'SELECT label, url, decrypt_credential_value(encrypted_value, $1) AS plaintext FROM credentials ORDER BY id',
      [demoEncryptionKey],
    );
    expect(credentials.rows.length).toBeGreaterThanOrEqual(20);
    for (const { label, url, plaintext } of credentials.rows) {
      expect(plaintext, label).toMatch(/\S/);
      expect(url, label).toMatch(/^https:\/\//);
    }
    expect(credentials.rows.map((row) => row.label)).toEqual(
      expect.arrayContaining(['WordPress Admin', 'AWS Console', 'Google Workspace']),
    );

    const wrongKey = db.pool.query('SELECT decrypt_credential_value(encrypted_value, $1) FROM credentials', [
      'not-the-demo-key',
    ]);
    expect(await sqlError(wrongKey)).toMatchObject({ code: 'MC002' });
  });

  it('has an audit trail of views, reveals, creations and updates by several people from several addresses', async () => {
    const audit = await one<{
      actions: string[];
      users: number;
      ips: number;
      ipv6: number;
      agents: number;
      oldest_days: number;
    }>(
      db.pool,
      `SELECT array_agg(DISTINCT action ORDER BY action) AS actions, count(DISTINCT user_id)::int AS users,
              count(DISTINCT ip_address)::int AS ips, count(*) FILTER (WHERE family(ip_address) = 6)::int AS ipv6,
              count(DISTINCT user_agent)::int AS agents,
              extract(day FROM now() - min(created_at))::int AS oldest_days
       FROM credential_audit_logs`,
    );
    expect(audit.actions).toEqual(expect.arrayContaining(['create', 'decrypt', 'update', 'view']));
    expect(audit.users).toBeGreaterThanOrEqual(2);
    expect(audit.ips).toBeGreaterThanOrEqual(2);
    expect(audit.ipv6).toBeGreaterThan(0);
    expect(audit.agents).toBeGreaterThanOrEqual(2);
    expect(audit.oldest_days).toBeGreaterThanOrEqual(14);

    // Every credential has its 'create' row, dated when the credential was created and naming a user.
    const creations = await one<{ credentials: number; matching: number }>(
      db.pool,
      `SELECT (SELECT count(*)::int FROM credentials) AS credentials,
              count(DISTINCT c.id)::int AS matching
       FROM credentials c
       JOIN credential_audit_logs cal ON cal.credential_id = c.id AND cal.action = 'create'
       WHERE cal.created_at = c.created_at AND cal.user_id IS NOT NULL`,
    );
    expect(creations.matching).toBe(creations.credentials);
  });

  it("gives the spec's unusual-access and stale-credential queries something to find", async () => {
    const unusual = await column<string>(
      `SELECT c.label AS value
       FROM credential_audit_logs cal
       JOIN credentials c ON cal.credential_id = c.id
       WHERE cal.created_at > NOW() - INTERVAL '24 hours'
       GROUP BY cal.credential_id, c.label
       HAVING COUNT(*) > 10 OR COUNT(DISTINCT cal.ip_address) > 3`,
    );
    expect(unusual.length).toBeGreaterThan(0);

    const stale = await column<string>(
      `SELECT c.label AS value
       FROM credentials c
       JOIN clients cl ON c.client_id = cl.id
       LEFT JOIN credential_audit_logs cal ON c.id = cal.credential_id
       GROUP BY c.id, c.label, cl.name
       HAVING MAX(cal.created_at) < NOW() - INTERVAL '30 days' OR MAX(cal.created_at) IS NULL`,
    );
    expect(stale.length).toBeGreaterThan(0);
    // The rest is in use: stale credentials are the exception.
    expect(stale.length).toBeLessThan(5);
  });
});

describe('loading the sample data', () => {
  it('refuses a second load into the same database, and changes nothing', async () => {
    const before = await tableCounts(db.pool);
    await expect(loadSampleData(db.url)).rejects.toMatchObject({ code: '23505', constraint: 'users_email_key' });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('is all or nothing: a failure at its last step leaves every table empty', async () => {
    const scratch = await createTestDatabase(inject('postgres').adminUrl);
    const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
    try {
      // A rule that only the sample data's last statement (today's soft delete) breaks.
      await pool.query(
        "ALTER TABLE credential_audit_logs ADD CONSTRAINT test_no_delete_rows CHECK (action <> 'delete')",
      );
      await expect(loadSampleData(scratch.url)).rejects.toMatchObject({ constraint: 'test_no_delete_rows' });
      expect(await tableCounts(pool)).toEqual({
        clients: 0,
        credential_audit_logs: 0,
        credentials: 0,
        tasks: 0,
        users: 0,
      });
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });

  it('encrypts the credentials with the key it is given', async () => {
    const scratch = await createTestDatabase(inject('postgres').adminUrl);
    const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
    try {
      const key = 'a-key-of-our-own';
      await loadSampleData(scratch.url, key);
      const opened = await one<{ total: number; opened: number }>(
        pool,
        `SELECT count(*)::int AS total, count(decrypt_credential_value(encrypted_value, $1))::int AS opened
         FROM credentials`,
        [key],
      );
      expect(opened.total).toBeGreaterThanOrEqual(20);
      expect(opened.opened).toBe(opened.total);
      const demoKey = pool.query('SELECT decrypt_credential_value(encrypted_value, $1) FROM credentials', [
        demoEncryptionKey,
      ]);
      expect(await sqlError(demoKey)).toMatchObject({ code: 'MC002' });
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });
});
