/**
 * What the schema refuses and what it accepts: CHECK constraints, NOT NULL, defaults, UNIQUE and the
 * INET column, each asserted by the SQLSTATE and the constraint or column PostgreSQL names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import type { Queryable, Row, Table, Values } from './rows.ts';
import {
  insertAuditLog,
  insertClient,
  insertCredential,
  insertRow,
  insertTask,
  insertUser,
  one,
  sqlError,
} from './rows.ts';

const db = useTestDatabase();

// Shared parents for the task, credential and audit rows.
let clientId: number;
let credentialId: number;
beforeAll(async () => {
  clientId = (await insertClient(db.pool)).id;
  credentialId = (await insertCredential(db.pool, { client_id: clientId })).id;
});

/** Each table's builder on the pool, with the shared parents as defaults, for the table-driven checks. */
const insertInto: Record<Table, (values: Values) => Promise<Row>> = {
  users: (values) => insertUser(db.pool, values),
  clients: (values) => insertClient(db.pool, values),
  tasks: (values) => insertTask(db.pool, { client_id: clientId, ...values }),
  credentials: (values) => insertCredential(db.pool, { client_id: clientId, ...values }),
  credential_audit_logs: (values) => insertAuditLog(db.pool, { credential_id: credentialId, ...values }),
};

/** The column as PostgreSQL prints it (dates as YYYY-MM-DD), read back from the stored row. */
async function stored(table: Table, column: string, id: number) {
  const { rows } = await db.pool.query(`SELECT ${column}::text AS value FROM ${table} WHERE id = $1`, [id]);
  return rows[0]?.value as string | null | undefined;
}

type Check = { constraint: string; table: Table; column: string; accepted: (string | null)[]; refused: string[] };

const badEmails = [
  'not-an-email',
  'a@b',
  'a b@c.com',
  '',
  '@example.com',
  'jane@',
  'jane@@example.com',
  'jane@example',
  'jane@example.c',
  'jane@example..com',
  'jane@exa mple.com',
  'jane@example.com\n',
];
const urls = [
  'https://example.com',
  'http://example.com',
  'https://example.com/wp-admin/',
  'https://example.com/search?q=mini+crm&page=2',
  'https://shop.example.co.uk:8443/login?next=%2Fhome#top',
  'HTTPS://EXAMPLE.COM/',
  null,
];
const badUrls = [
  'ftp://x.com',
  'javascript:alert(1)',
  'https://',
  'example.com',
  'www.example.com',
  'http:/example.com',
  'mailto:jane@example.com',
  'https://exa mple.com',
  'https://example.com/a b',
  '',
];
const zones = ['Europe/Berlin', 'America/Argentina/Salta', 'UTC', 'Asia/Kolkata'];
const badZones = [
  'Mars/Olympus',
  'PST',
  'UTC+5',
  '',
  '+05:00',
  'Europe/Berlin/Mitte',
  '../../etc/passwd',
  'localtime',
  'posixrules',
  'Factory',
];
const blanks = ['', ' ', '   ', '\t', '\n', ' \r\n\t '];

const checks: Check[] = [
  {
    constraint: 'users_email_format',
    table: 'users',
    column: 'email',
    accepted: [
      'jane.doe+crm@example.co.uk',
      'JOHN_SMITH@EXAMPLE.COM',
      'a.b-c%d@mail-1.example.org',
      "o'brien@example.ie",
    ],
    refused: badEmails,
  },
  {
    constraint: 'clients_email_format',
    table: 'clients',
    column: 'email',
    accepted: ['jane.doe+crm@example.co.uk', 'JOHN_SMITH@EXAMPLE.COM', null],
    refused: badEmails,
  },
  {
    constraint: 'users_role_valid',
    table: 'users',
    column: 'role',
    accepted: ['admin', 'manager', 'user'],
    refused: ['Admin', 'superuser', 'owner', '', ' user'],
  },
  {
    constraint: 'clients_status_valid',
    table: 'clients',
    column: 'status',
    accepted: ['active', 'inactive', 'prospect', 'archived'],
    refused: ['Active', 'deleted', 'lead', ''],
  },
  {
    constraint: 'tasks_status_valid',
    table: 'tasks',
    column: 'status',
    accepted: ['pending', 'in_progress', 'completed', 'cancelled', 'on_hold'],
    refused: ['done', 'in progress', 'IN_PROGRESS', 'canceled', ''],
  },
  {
    constraint: 'tasks_priority_valid',
    table: 'tasks',
    column: 'priority',
    accepted: ['low', 'medium', 'high', 'urgent'],
    refused: ['critical', 'High', 'normal', ''],
  },
  {
    constraint: 'credential_audit_logs_action_valid',
    table: 'credential_audit_logs',
    column: 'action',
    accepted: ['view', 'create', 'update', 'delete', 'decrypt'],
    refused: ['read', 'VIEW', 'encrypt', ''],
  },
  {
    constraint: 'clients_website_url_format',
    table: 'clients',
    column: 'website_url',
    accepted: urls,
    refused: badUrls,
  },
  { constraint: 'credentials_url_format', table: 'credentials', column: 'url', accepted: urls, refused: badUrls },
  {
    constraint: 'tasks_due_date_range',
    table: 'tasks',
    column: 'due_date',
    accepted: ['2000-01-01', '2100-12-31', '2026-06-15', null],
    refused: ['1999-12-31', '2101-01-01', '0001-01-01', 'infinity', '-infinity'],
  },
  { constraint: 'users_timezone_valid', table: 'users', column: 'timezone', accepted: zones, refused: badZones },
  { constraint: 'clients_timezone_valid', table: 'clients', column: 'timezone', accepted: zones, refused: badZones },
  {
    constraint: 'users_name_not_blank',
    table: 'users',
    column: 'name',
    accepted: ['Jane Doe', 'X'],
    refused: blanks,
  },
  {
    constraint: 'clients_name_not_blank',
    table: 'clients',
    column: 'name',
    accepted: ['Acme GmbH', 'X'],
    refused: blanks,
  },
  {
    constraint: 'tasks_title_not_blank',
    table: 'tasks',
    column: 'title',
    accepted: ['Call back about the renewal', 'X'],
    refused: blanks,
  },
  {
    constraint: 'credentials_label_not_blank',
    table: 'credentials',
    column: 'label',
    accepted: ['WordPress Admin', 'X'],
    refused: blanks,
  },
];

describe('CHECK constraints', () => {
  for (const { constraint, table, column, accepted, refused } of checks) {
    describe(constraint, () => {
      it.each(accepted)(`stores ${table}.${column} = %j`, async (value) => {
        const row = await insertInto[table]({ [column]: value });
        expect(await stored(table, column, row.id)).toBe(value);
      });

      it.each(refused)(`refuses ${table}.${column} = %j with 23514 ${constraint}`, async (value) => {
        expect(await sqlError(insertInto[table]({ [column]: value }))).toMatchObject({
          code: '23514',
          constraint,
          table,
        });
      });
    });
  }

  it('refuses an UPDATE to a bad value too, and keeps the old one', async () => {
    const user = await insertUser(db.pool, { role: 'manager' });
    const update = db.pool.query('UPDATE users SET role = $2 WHERE id = $1', [user.id, 'root']);
    expect(await sqlError(update)).toMatchObject({ code: '23514', constraint: 'users_role_valid' });
    expect(await stored('users', 'role', user.id)).toBe('manager');
  });
});

describe('time zone check', () => {
  async function sessionTimeZone(on: Queryable) {
    const { rows } = await on.query('SHOW TimeZone');
    return rows[0].TimeZone as string;
  }

  it("leaves the transaction's TimeZone as it was, after accepted and refused zones", async () => {
    await inTestTransaction(db.pool, { settings: { TimeZone: 'Asia/Tokyo' }, commit: false }, async (client) => {
      expect(await sessionTimeZone(client)).toBe('Asia/Tokyo');
      await insertUser(client, { timezone: 'America/Argentina/Salta' });
      await insertClient(client, { timezone: 'Europe/Berlin' });
      expect(await sessionTimeZone(client)).toBe('Asia/Tokyo');

      await client.query('SAVEPOINT bad_zone');
      expect(await sqlError(insertUser(client, { timezone: 'Mars/Olympus' }))).toMatchObject({
        constraint: 'users_timezone_valid',
      });
      await client.query('ROLLBACK TO SAVEPOINT bad_zone');
      expect(await sessionTimeZone(client)).toBe('Asia/Tokyo');

      // Times are still shown in the transaction's zone.
      const { rows } = await client.query("SELECT (timestamptz '2026-01-01 00:00:00+00')::text AS shown");
      expect(rows[0].shown).toBe('2026-01-01 09:00:00+09');
    });
  });

  it("leaves a session's TimeZone as it was when the insert runs on its own", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("SET TimeZone = 'America/New_York'");
      await insertClient(client, { timezone: 'Europe/Berlin' });
      await insertUser(client, { timezone: 'Asia/Kolkata' });
      expect(await sessionTimeZone(client)).toBe('America/New_York');
    } finally {
      await client.query('RESET TimeZone');
      client.release();
    }
  });
});

describe('NOT NULL', () => {
  const required: [Table, string][] = [
    ['users', 'email'],
    ['users', 'name'],
    ['users', 'password_hash'],
    ['users', 'role'],
    ['users', 'is_active'],
    ['users', 'timezone'],
    ['clients', 'name'],
    ['clients', 'status'],
    ['clients', 'tags'],
    ['clients', 'timezone'],
    ['tasks', 'client_id'],
    ['tasks', 'title'],
    ['tasks', 'status'],
    ['tasks', 'priority'],
    ['credentials', 'client_id'],
    ['credentials', 'label'],
    ['credential_audit_logs', 'credential_id'],
    ['credential_audit_logs', 'action'],
  ];

  it.each(required)('refuses %s.%s = NULL with 23502', async (table, column) => {
    expect(await sqlError(insertInto[table]({ [column]: null }))).toMatchObject({ code: '23502', table, column });
  });

  it('leaves the optional columns optional', async () => {
    const client = await insertClient(db.pool, {
      company: null,
      email: null,
      phone: null,
      website_url: null,
      notes: null,
    });
    expect(client).toMatchObject({ company: null, email: null, phone: null, owner_user_id: null });
    const task = await insertInto.tasks({ description: null, due_date: null, assigned_user_id: null });
    expect(task).toMatchObject({ description: null, due_date: null, assigned_user_id: null });
    const credential = await insertInto.credentials({ username: null, encrypted_value: null, url: null, notes: null });
    expect(credential).toMatchObject({ username: null, encrypted_value: null, url: null, deleted_at: null });
    const audit = await insertInto.credential_audit_logs({ user_id: null, ip_address: null, user_agent: null });
    expect(audit).toMatchObject({ user_id: null, ip_address: null, user_agent: null });
  });
});

describe('defaults', () => {
  const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  /** Inserts with only the given columns, and returns the row with its transaction's now() as inserted_at. */
  function insertBare(table: Table, values: Values) {
    return inTestTransaction(db.pool, {}, async (client) => {
      const row = await insertRow(client, table, values);
      return { ...row, inserted_at: (await one<{ now: Date }>(client, 'SELECT now()')).now };
    });
  }

  function expectGeneratedUuidAndTimes(row: Record<string, unknown>) {
    expect(row.uuid).toMatch(uuidPattern);
    expect(row.created_at).toBeInstanceOf(Date);
    expect(row.created_at).toEqual(row.inserted_at);
    if ('updated_at' in row) expect(row.updated_at).toEqual(row.inserted_at);
  }

  it("users: role 'user', active, time zone UTC", async () => {
    const row = await insertBare('users', { email: 'defaults@example.com', name: 'Dee Fault', password_hash: 'x' });
    expect(row).toMatchObject({ role: 'user', is_active: true, timezone: 'UTC' });
    expectGeneratedUuidAndTimes(row);
  });

  it("clients: status 'active', no tags, time zone UTC, no owner", async () => {
    const row = await insertBare('clients', { name: 'Default Client' });
    expect(row).toMatchObject({ status: 'active', tags: [], timezone: 'UTC', owner_user_id: null });
    expectGeneratedUuidAndTimes(row);
  });

  it("tasks: status 'pending', priority 'medium', no due date, unassigned", async () => {
    const row = await insertBare('tasks', { client_id: clientId, title: 'Default task' });
    expect(row).toMatchObject({ status: 'pending', priority: 'medium', due_date: null, assigned_user_id: null });
    expectGeneratedUuidAndTimes(row);
  });

  it('credentials: not deleted', async () => {
    const row = await insertBare('credentials', { client_id: clientId, label: 'Default credential' });
    expect(row).toMatchObject({ deleted_at: null, encrypted_value: null });
    expectGeneratedUuidAndTimes(row);
  });

  it('credential_audit_logs: a uuid and the time of the event', async () => {
    const row = await insertBare('credential_audit_logs', { credential_id: credentialId, action: 'view' });
    expectGeneratedUuidAndTimes(row);
  });
});

describe('UNIQUE', () => {
  it('refuses a second user with the same email (23505 users_email_key)', async () => {
    await insertUser(db.pool, { email: 'twice@example.com' });
    expect(await sqlError(insertUser(db.pool, { email: 'twice@example.com' }))).toMatchObject({
      code: '23505',
      constraint: 'users_email_key',
      table: 'users',
    });
  });

  it('refuses an email differing only by case (23505 idx_users_email_lower)', async () => {
    await insertUser(db.pool, { email: 'Admin@Example.com' });
    expect(await sqlError(insertUser(db.pool, { email: 'admin@example.com' }))).toMatchObject({
      code: '23505',
      constraint: 'idx_users_email_lower',
      table: 'users',
    });
    expect(await sqlError(insertUser(db.pool, { email: 'ADMIN@EXAMPLE.COM' }))).toMatchObject({
      constraint: 'idx_users_email_lower',
    });
  });

  it('lets a user change the case of their own email', async () => {
    const user = await insertUser(db.pool, { email: 'Mixed.Case@Example.com' });
    await db.pool.query('UPDATE users SET email = $2 WHERE id = $1', [user.id, 'mixed.case@example.com']);
    expect(await stored('users', 'email', user.id)).toBe('mixed.case@example.com');
  });

  it('lets two clients share an email address', async () => {
    await insertClient(db.pool, { email: 'shared@example.com' });
    await insertClient(db.pool, { email: 'shared@example.com' });
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM clients WHERE email = 'shared@example.com'");
    expect(rows[0].n).toBe(2);
  });

  const tables: Table[] = ['users', 'clients', 'tasks', 'credentials', 'credential_audit_logs'];

  it.each(tables)('%s: generates a different uuid for every row', async (table) => {
    const rows = [await insertInto[table]({}), await insertInto[table]({}), await insertInto[table]({})];
    expect(new Set(rows.map((row) => row.uuid)).size).toBe(3);
  });

  it.each(tables)('%s: refuses a duplicate uuid (23505 %s_uuid_key)', async (table) => {
    const first = await insertInto[table]({});
    expect(await sqlError(insertInto[table]({ uuid: first.uuid }))).toMatchObject({
      code: '23505',
      constraint: `${table}_uuid_key`,
      table,
    });
  });
});

describe('credential_audit_logs.ip_address (INET)', () => {
  it.each([
    ['192.0.2.10', '192.0.2.10'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ])('stores %s as %s', async (input, shown) => {
    const row = await insertInto.credential_audit_logs({ ip_address: input });
    expect(row.ip_address).toBe(shown);
  });

  it.each(['999.1.1.1', 'not-an-ip', '192.168.1', '1.2.3.4.5', '2001:db8::g', ''])(
    'refuses %j with 22P02',
    async (input) => {
      const error = await sqlError(insertInto.credential_audit_logs({ ip_address: input }));
      expect(error).toMatchObject({ code: '22P02' });
      expect(error.message).toContain('invalid input syntax for type inet');
    },
  );
});
