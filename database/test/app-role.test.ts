/**
 * mini_crm_app, the role the API connects as (003_hardening): it owns nothing, holds exactly the
 * privileges listed here, and is refused the rest. That these privileges are enough is proven by
 * the API's whole test suite, which runs as this role (apps/api/test/api.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, withClient } from '../src/migrate.ts';
import { appRoleName } from '../src/roles.ts';
import { useTestDatabase } from '../src/testing.ts';
import { insertClient, insertCredential, insertUser, one, sqlError, testKey } from './rows.ts';

const db = useTestDatabase();
let app: pg.Pool;
beforeAll(() => {
  app = new pg.Pool({ connectionString: db.appUrl, max: 2 });
});
afterAll(() => app?.end());

/**
 * What the API may do with each table, view and sequence of the schema. A new one fails the test
 * until its line says what the API needs; `[]` is a decision too. Column lists in column order.
 */
const expectedPrivileges: Record<string, string[]> = {
  users: [
    'SELECT',
    'INSERT (email, name, password_hash, role, timezone)',
    'UPDATE (email, name, password_hash, role, is_active, timezone)',
  ],
  clients: [
    'SELECT',
    'INSERT (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id)',
    'UPDATE (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id)',
    'DELETE',
  ],
  tasks: [
    'SELECT',
    'INSERT (client_id, title, description, status, priority, due_date, assigned_user_id)',
    'UPDATE (client_id, title, description, status, priority, due_date, assigned_user_id)',
    'DELETE',
  ],
  credentials: [
    'SELECT',
    'INSERT (client_id, label, username, encrypted_value, url, notes, key_version)',
    'UPDATE (label, username, encrypted_value, url, notes, deleted_at, key_version)',
  ],
  credential_audit_logs: ['SELECT'],
  user_sessions: [
    'SELECT',
    'INSERT (id, user_id, expires_at, ip_address, user_agent)',
    'UPDATE (expires_at)',
    'DELETE',
  ],
  login_failures: ['SELECT', 'INSERT (email, ip_address)', 'DELETE'],
  encryption_key_versions: [], // the key check at start runs as the owner (004)
  client_status_counts: ['SELECT'], // kept by triggers that run as the owner (005)
  client_tag_counts: ['SELECT'],
  credential_audit_stats: ['SELECT'],
  credential_audit_users: [],
  credential_audit_ips: [],
  client_overview: ['SELECT'],
  task_overview: ['SELECT'],
  credential_audit_summary: ['SELECT'],
  users_id_seq: ['USAGE'],
  clients_id_seq: ['USAGE'],
  tasks_id_seq: ['USAGE'],
  credentials_id_seq: ['USAGE'],
  login_failures_id_seq: ['USAGE'],
  credential_audit_logs_id_seq: [],
  credential_audit_chain_head: [],
  credential_audit_purges: [],
  schema_migrations: [],
};

/** The role's privileges on every relation of the schema, as "PRIVILEGE" or "PRIVILEGE (columns)". */
async function actualPrivileges() {
  const { rows } = await db.pool.query<{ relation: string; privileges: string[] }>(
    `WITH relations AS (
       SELECT c.oid, c.relname, c.relkind FROM pg_class c
       WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
         AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     )
     SELECT r.relname AS relation, ARRAY(
       SELECT p.granted FROM (
         SELECT 1 AS n, CASE WHEN r.relkind = 'S' AND has_sequence_privilege($1::name, r.oid, 'USAGE') THEN 'USAGE' END AS granted
         UNION ALL
         SELECT 2 + i, CASE
           WHEN r.relkind = 'S' THEN CASE WHEN has_sequence_privilege($1::name, r.oid, priv) THEN priv END
           WHEN has_table_privilege($1::name, r.oid, priv) THEN priv
           WHEN priv IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') AND has_any_column_privilege($1::name, r.oid, priv) THEN
             priv || ' (' || (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a
                              WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
                                AND has_column_privilege($1::name, r.oid, a.attnum, priv)) || ')'
           END
         FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'])
              WITH ORDINALITY AS t (priv, i)
         WHERE r.relkind <> 'S' OR priv IN ('SELECT', 'UPDATE')
       ) p WHERE p.granted IS NOT NULL ORDER BY p.n
     ) AS privileges
     FROM relations r ORDER BY r.relname`,
    [appRoleName],
  );
  return Object.fromEntries(rows.map((row) => [row.relation, row.privileges]));
}

describe('the role mini_crm_app', () => {
  it('signs in as itself: no superuser, no role or database creation, a member of no other role', async () => {
    const role = await one<Record<string, unknown>>(
      app,
      `SELECT current_user AS name, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication,
              (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships
       FROM pg_roles r WHERE rolname = current_user`,
    );
    expect(role).toEqual({
      name: appRoleName,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
      rolreplication: false,
      memberships: 0,
    });
  });

  it('owns nothing: no table, view, sequence, function, type or schema', async () => {
    const owned = await one<{ n: number }>(
      db.pool,
      `SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
            + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
            + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
            + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
            + (SELECT count(*) FROM pg_database WHERE datdba = r.oid) AS n
       FROM pg_roles r WHERE rolname = $1`,
      [appRoleName],
    );
    expect(Number(owned.n)).toBe(0);
  });

  it('holds exactly the privileges the API needs, on every table, view and sequence', async () => {
    const actual = await actualPrivileges();
    const unlisted = Object.keys(actual).filter((relation) => !(relation in expectedPrivileges));
    expect(unlisted, 'relations whose privileges for mini_crm_app nobody decided: list them above').toEqual([]);
    expect(actual).toEqual(expectedPrivileges);
  });

  it("does the API's everyday work: sign-in reads the password hash, writes go through, audit rows appear", async () => {
    const user = await insertUser(db.pool, { password_hash: '$2a$10$example' });
    const { id: clientId } = await insertClient(db.pool, { owner_user_id: user.id });
    const hash = await one<{ password_hash: string }>(app, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(hash.password_hash).toBe('$2a$10$example');

    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.user_id', $1, true)", [String(user.id)]);
      const { id } = await one<{ id: number }>(
        client,
        `INSERT INTO credentials (client_id, label, encrypted_value) VALUES ($1, 'Router', encrypt_credential_value('s3cret', $2))
         RETURNING id`,
        [clientId, testKey],
      );
      await client.query('SELECT view_credential($1)', [id]);
      const revealed = await one<{ value: string }>(client, 'SELECT reveal_credential($1, $2) AS value', [id, testKey]);
      expect(revealed.value).toBe('s3cret');
      await client.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [id]);
      await client.query('COMMIT');
      const { rows } = await db.pool.query(
        'SELECT action, user_id FROM credential_audit_logs WHERE credential_id = $1 ORDER BY chain_position',
        [id],
      );
      expect(rows).toEqual(['create', 'view', 'decrypt', 'delete'].map((action) => ({ action, user_id: user.id })));
    } finally {
      client.release();
    }
  });
});

describe('mini_crm_app is refused', () => {
  let credentialId: number;
  beforeAll(async () => {
    const { id: clientId } = await insertClient(db.pool);
    credentialId = (await insertCredential(db.pool, { client_id: clientId, secret: 'kept', key: testKey })).id;
  });

  const mustBeOwner = '42501';
  it.each([
    ['DROP TABLE', 'DROP TABLE clients'],
    ['ALTER TABLE', 'ALTER TABLE credentials ADD COLUMN leaked text'],
    ['disabling the audit triggers', 'ALTER TABLE credential_audit_logs DISABLE TRIGGER USER'],
    ['CREATE TABLE in the schema', 'CREATE TABLE scratch (id int)'],
    ['CREATE FUNCTION in the schema', 'CREATE FUNCTION scratch() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['UPDATE of the audit log', "UPDATE credential_audit_logs SET action = 'view'"],
    ['DELETE from the audit log', 'DELETE FROM credential_audit_logs'],
    ['TRUNCATE of the audit log', 'TRUNCATE credential_audit_logs'],
    ['INSERT into the audit log', "INSERT INTO credential_audit_logs (credential_id, action) VALUES (1, 'view')"],
    ['writing an audit row of its choosing', "SELECT record_credential_audit(1, 'view')"],
    ['backdating one', "SELECT record_credential_audit(1, 'view', now() - interval '1 year')"],
    ['moving the chain head', 'UPDATE credential_audit_chain_head SET chain_position = 0'],
    ['reading the purge log', 'SELECT * FROM credential_audit_purges'],
    ['DELETE of a credential (soft delete only)', 'DELETE FROM credentials'],
    ['DELETE of a user', 'DELETE FROM users'],
    ['backdating a credential', "UPDATE credentials SET created_at = now() - interval '1 year'"],
    ['choosing an id', "INSERT INTO clients (id, name) VALUES (999999, 'Forged')"],
    ['reading the migrations', 'SELECT * FROM schema_migrations'],
    ['switching triggers off for its session', 'SET session_replication_role = replica'],
  ])('%s', async (_what, statement) => {
    const error = await sqlError(app.query(statement));
    expect(error.code).toBe(mustBeOwner);
  });

  it('and none of the refusals changed anything', async () => {
    const row = await one<{ clients: string | null; audit: number }>(
      db.pool,
      `SELECT to_regclass('clients')::text AS clients,
              (SELECT count(*)::int FROM credential_audit_logs WHERE credential_id = $1) AS audit`,
      [credentialId],
    );
    expect(row).toEqual({ clients: 'clients', audit: 1 });
  });
});

describe('the migration that creates the role', () => {
  it('runs on a second database of the same server, where the role exists already, and grants there too', async () => {
    const { adminUrl } = inject('postgres');
    const name = `second_${process.pid}_${Date.now()}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    try {
      const applied = await migrate(url);
      expect(applied).toContain('postgresql_mini_crm_003_hardening.sql');
      const appUrl = Object.assign(new URL(db.appUrl), { pathname: `/${name}` }).toString();
      await withClient(appUrl, async (client) => {
        const { rows } = await client.query('SELECT current_user AS name, count(*)::int AS clients FROM clients');
        expect(rows).toEqual([{ name: appRoleName, clients: 0 }]);
      });
    } finally {
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });
});
