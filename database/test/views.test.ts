// Each test builds its own rows inside one rolled-back transaction: CURRENT_DATE stays fixed for
// the whole test (it is the transaction's start date), so due dates relative to it hold at any hour.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import { insertClient, insertCredential, insertTask, insertUser, one } from './rows.ts';

const db = useTestDatabase();

type Row = Record<string, unknown>;

/** Counts come back as bigint (strings in node-postgres); compare them as numbers. */
const numbers = (row: Row, columns: string[]) => Object.fromEntries(columns.map((name) => [name, Number(row[name])]));

async function clientColumns(client: pg.PoolClient) {
  const { rows } = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'clients' ORDER BY ordinal_position",
  );
  return rows.map((row) => row.column_name);
}

describe('client_overview', () => {
  const countColumns = [
    'task_count',
    'pending_tasks',
    'in_progress_tasks',
    'overdue_tasks',
    'completed_tasks',
    'credential_count',
  ];

  it("shows the client's columns, its owner, and counts of its tasks and live credentials", async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: owner } = await insertUser(client, { name: 'Olivia Owner', email: 'olivia@example.com' });
      const { id: acme } = await insertClient(client, {
        name: 'Acme',
        company: 'Acme Corp',
        email: 'ops@acme.example',
        phone: '+1 555 0100',
        status: 'active',
        tags: ['enterprise', 'eu'],
        timezone: 'Europe/Berlin',
        website_url: 'https://acme.example',
        notes: 'Key account',
        owner_user_id: owner,
      });
      const tasks = [
        { status: 'pending', dueInDays: -1 }, // overdue
        { status: 'pending', dueInDays: null },
        { status: 'in_progress', dueInDays: -3 }, // overdue
        { status: 'in_progress', dueInDays: 2 },
        { status: 'on_hold', dueInDays: -1 }, // overdue: on hold is still open
        { status: 'completed', dueInDays: -5 }, // past due but done: not overdue
        { status: 'completed', dueInDays: null },
        { status: 'cancelled', dueInDays: -2 }, // past due but dropped: not overdue
      ];
      for (const task of tasks) await insertTask(client, { client_id: acme, ...task });
      await insertCredential(client, { client_id: acme, label: 'Router' });
      await insertCredential(client, { client_id: acme, label: 'Mail' });
      const { id: gone } = await insertCredential(client, { client_id: acme, label: 'Old FTP' });
      await client.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [gone]);

      const row = await one<Row>(client, 'SELECT * FROM client_overview WHERE id = $1', [acme]);
      const clientRow = await one<Row>(client, 'SELECT * FROM clients WHERE id = $1', [acme]);
      const columns = await clientColumns(client);
      expect(Object.keys(row)).toEqual(
        expect.arrayContaining([...columns, 'owner_name', 'owner_email', ...countColumns]),
      );
      expect(row).toMatchObject({ ...clientRow, owner_name: 'Olivia Owner', owner_email: 'olivia@example.com' });
      expect(numbers(row, countColumns)).toEqual({
        task_count: 8,
        pending_tasks: 2,
        in_progress_tasks: 2,
        overdue_tasks: 3,
        completed_tasks: 2,
        credential_count: 2,
      });
    });
  });

  it('shows zeros and no owner for a client with nothing yet', async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: lonely } = await insertClient(client, { name: 'Lonely Ltd', status: 'prospect' });
      const row = await one<Row>(client, 'SELECT * FROM client_overview WHERE id = $1', [lonely]);
      expect(row).toMatchObject({ name: 'Lonely Ltd', owner_name: null, owner_email: null });
      expect(numbers(row, countColumns)).toEqual(Object.fromEntries(countColumns.map((name) => [name, 0])));
    });
  });

  it("answers the spec's active-clients query, busiest first", async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: busy } = await insertClient(client, { name: 'Busy', status: 'active' });
      const { id: quiet } = await insertClient(client, { name: 'Quiet', status: 'active' });
      await insertClient(client, { name: 'Archived', status: 'archived' });
      for (const dueInDays of [1, 2, 3]) await insertTask(client, { client_id: busy, dueInDays });
      await insertTask(client, { client_id: quiet, dueInDays: 1 });
      const { rows } = await client.query(
        `SELECT name, company, task_count, pending_tasks, credential_count
         FROM client_overview WHERE status = 'active' ORDER BY task_count DESC`,
      );
      expect(rows.map((row) => [row.name, Number(row.task_count), Number(row.pending_tasks)])).toEqual([
        ['Busy', 3, 3],
        ['Quiet', 1, 1],
      ]);
    });
  });
});

describe('task_overview', () => {
  it("shows the task's columns with its client and assignee", async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: assignee } = await insertUser(client, { name: 'Ada Assignee', email: 'ada@example.com' });
      const { id: clientId } = await insertClient(client, { name: 'Globex', company: 'Globex Inc' });
      const { id } = await insertTask(client, {
        client_id: clientId,
        title: 'Renew domain',
        dueInDays: 3,
        assigned_user_id: assignee,
      });
      const { id: unassigned } = await insertTask(client, { client_id: clientId, title: 'Send invoice' });

      const row = await one<Row>(client, 'SELECT * FROM task_overview WHERE id = $1', [id]);
      const taskRow = await one<Row>(client, 'SELECT * FROM tasks WHERE id = $1', [id]);
      expect(row).toMatchObject({
        ...taskRow,
        client_name: 'Globex',
        client_company: 'Globex Inc',
        assigned_user_name: 'Ada Assignee',
        assigned_user_email: 'ada@example.com',
        urgency_status: 'due_soon',
      });
      expect(await one(client, 'SELECT * FROM task_overview WHERE id = $1', [unassigned])).toMatchObject({
        title: 'Send invoice',
        client_name: 'Globex',
        assigned_user_name: null,
        assigned_user_email: null,
      });
    });
  });

  it('classifies urgency from the status and the due date', async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: clientId } = await insertClient(client);
      const cases = {
        'open, due yesterday': { status: 'pending', dueInDays: -1, urgency: 'overdue' },
        'in progress, due last month': { status: 'in_progress', dueInDays: -30, urgency: 'overdue' },
        'on hold, due yesterday': { status: 'on_hold', dueInDays: -1, urgency: 'overdue' },
        'due today': { status: 'pending', dueInDays: 0, urgency: 'due_today' },
        'due tomorrow': { status: 'pending', dueInDays: 1, urgency: 'due_soon' },
        'due in 7 days': { status: 'in_progress', dueInDays: 7, urgency: 'due_soon' },
        'due in 8 days': { status: 'pending', dueInDays: 8, urgency: 'normal' },
        'no due date': { status: 'pending', dueInDays: null, urgency: 'normal' },
        'completed, due yesterday': { status: 'completed', dueInDays: -1, urgency: 'normal' },
        'completed, due today': { status: 'completed', dueInDays: 0, urgency: 'normal' },
        'cancelled, due last week': { status: 'cancelled', dueInDays: -7, urgency: 'normal' },
      };
      for (const [title, { status, dueInDays }] of Object.entries(cases)) {
        await insertTask(client, { client_id: clientId, title, status, dueInDays });
      }
      const { rows } = await client.query<{ title: string; urgency_status: string }>(
        'SELECT title, urgency_status FROM task_overview WHERE client_id = $1',
        [clientId],
      );
      expect(Object.fromEntries(rows.map((row) => [row.title, row.urgency_status]))).toEqual(
        Object.fromEntries(Object.entries(cases).map(([title, { urgency }]) => [title, urgency])),
      );

      // The spec's overdue query, oldest first.
      const overdue = await client.query(
        `SELECT title, client_name, due_date, priority, assigned_user_name
         FROM task_overview WHERE urgency_status = 'overdue' AND client_id = $1 ORDER BY due_date, title`,
        [clientId],
      );
      expect(overdue.rows.map((row) => row.title)).toEqual([
        'in progress, due last month',
        'on hold, due yesterday',
        'open, due yesterday',
      ]);
    });
  });

  it("follows the session's time zone for today", async () => {
    // Kiritimati (UTC+14) is always a day or two ahead of Pago Pago (UTC-11), whatever the hour.
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: clientId } = await insertClient(client);
      await client.query("SET LOCAL TimeZone = 'Pacific/Kiritimati'");
      await insertTask(client, { client_id: clientId, title: 'today in Kiritimati', dueInDays: 0 });
      await client.query("SET LOCAL TimeZone = 'Pacific/Pago_Pago'");
      await insertTask(client, { client_id: clientId, title: 'today in Pago Pago', dueInDays: 0 });
      const gap = await one<{ days: number }>(
        client,
        `SELECT (now() AT TIME ZONE 'Pacific/Kiritimati')::date - (now() AT TIME ZONE 'Pacific/Pago_Pago')::date AS days`,
      );
      expect([1, 2]).toContain(gap.days);

      const urgencies = async (zone: string) => {
        await client.query(`SET LOCAL TimeZone = '${zone}'`);
        const { rows } = await client.query<{ title: string; urgency_status: string }>(
          'SELECT title, urgency_status FROM task_overview WHERE client_id = $1',
          [clientId],
        );
        const overview = await one<{ overdue_tasks: string }>(
          client,
          'SELECT overdue_tasks FROM client_overview WHERE id = $1',
          [clientId],
        );
        return {
          ...Object.fromEntries(rows.map((row) => [row.title, row.urgency_status])),
          overdue: Number(overview.overdue_tasks),
        };
      };
      expect(await urgencies('Pacific/Kiritimati')).toEqual({
        'today in Kiritimati': 'due_today',
        'today in Pago Pago': 'overdue',
        overdue: 1,
      });
      expect(await urgencies('Pacific/Pago_Pago')).toEqual({
        'today in Kiritimati': 'due_soon',
        'today in Pago Pago': 'due_today',
        overdue: 0,
      });
    });
  });
});

describe('credential_audit_summary', () => {
  it('counts accesses, views, decrypts, users and addresses per credential', async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: ann } = await insertUser(client);
      const { id: ben } = await insertUser(client);
      const { id: clientId } = await insertClient(client, { name: 'Initech' });
      // Created without request context: each credential starts with a 'create' row with no user or address.
      const { id: mail } = await insertCredential(client, { client_id: clientId, label: 'Mail' });
      await insertCredential(client, { client_id: clientId, label: 'VPN' });
      const { id: ftp } = await insertCredential(client, { client_id: clientId, label: 'Old FTP' });
      await client.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [ftp]);
      // Later accesses, as the spec's "manually log credential access" insert writes them.
      const events = [
        { action: 'view', user: ann, ip: '10.0.0.1', minutes: 1 },
        { action: 'view', user: ben, ip: '10.0.0.2', minutes: 2 },
        { action: 'view', user: ann, ip: '10.0.0.1', minutes: 3 },
        { action: 'decrypt', user: ann, ip: '2001:db8::5', minutes: 4 },
        { action: 'decrypt', user: ben, ip: '10.0.0.2', minutes: 5 },
      ];
      for (const { action, user, ip, minutes } of events) {
        await client.query(
          `INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address, created_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
          [mail, user, action, ip, minutes],
        );
      }

      const { rows } = await client.query<Row>(
        `SELECT *, extract(epoch FROM last_accessed_at - now())::int AS seconds_after_creation
         FROM credential_audit_summary WHERE client_id = $1 ORDER BY label`,
        [clientId],
      );
      const counts = ['access_count', 'view_count', 'decrypt_count', 'unique_user_count', 'unique_ip_count'];
      expect(
        rows.map((row) => ({
          label: row.label,
          client_name: row.client_name,
          deleted: row.deleted_at !== null,
          ...numbers(row, counts),
          seconds_after_creation: row.seconds_after_creation,
        })),
      ).toEqual([
        {
          label: 'Mail',
          client_name: 'Initech',
          deleted: false,
          access_count: 6,
          view_count: 3,
          decrypt_count: 2,
          unique_user_count: 2,
          unique_ip_count: 3,
          seconds_after_creation: 300,
        },
        {
          label: 'Old FTP',
          client_name: 'Initech',
          deleted: true,
          access_count: 2,
          view_count: 0,
          decrypt_count: 0,
          unique_user_count: 0,
          unique_ip_count: 0,
          seconds_after_creation: 0,
        },
        {
          label: 'VPN',
          client_name: 'Initech',
          deleted: false,
          access_count: 1,
          view_count: 0,
          decrypt_count: 0,
          unique_user_count: 0,
          unique_ip_count: 0,
          seconds_after_creation: 0,
        },
      ]);

      const decrypted = await client.query(
        'SELECT label FROM credential_audit_summary WHERE decrypt_count > 0 AND client_id = $1',
        [clientId],
      );
      expect(decrypted.rows).toEqual([{ label: 'Mail' }]);
    });
  });
});

describe('tag search', () => {
  it("find_clients_by_tag('enterprise') returns exactly the tagged clients, as client rows by name", async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      const { id: zeta } = await insertClient(client, { name: 'Zeta', tags: ['enterprise', 'high-value'] });
      const { id: alpha } = await insertClient(client, { name: 'Alpha', tags: ['enterprise'] });
      await insertClient(client, { name: 'Beta', tags: ['high-value'] });
      await insertClient(client, { name: 'Gamma', tags: ['enterprise-plus'] });
      await insertClient(client, { name: 'Delta' });

      const found = await client.query("SELECT * FROM find_clients_by_tag('enterprise')");
      const expected = await client.query('SELECT * FROM clients WHERE id = ANY($1) ORDER BY name', [[alpha, zeta]]);
      expect(found.fields.map((field) => field.name)).toEqual(await clientColumns(client));
      expect(found.rows).toEqual(expected.rows);
      expect(found.rows.map((row) => row.name)).toEqual(['Alpha', 'Zeta']);
    });
  });

  it("answers the spec's query for clients with any of several tags", async () => {
    await inTestTransaction(db.pool, { commit: false }, async (client) => {
      await insertClient(client, { name: 'Zeta', tags: ['enterprise', 'high-value'] });
      await insertClient(client, { name: 'Alpha', tags: ['enterprise'] });
      await insertClient(client, { name: 'Beta', tags: ['high-value', 'eu'] });
      await insertClient(client, { name: 'Gamma', tags: ['smb'] });
      await insertClient(client, { name: 'Delta' });
      const { rows } = await client.query(
        "SELECT name, company, tags FROM clients WHERE tags && ARRAY['enterprise', 'high-value'] ORDER BY name",
      );
      expect(rows).toEqual([
        { name: 'Alpha', company: null, tags: ['enterprise'] },
        { name: 'Beta', company: null, tags: ['high-value', 'eu'] },
        { name: 'Zeta', company: null, tags: ['enterprise', 'high-value'] },
      ]);
    });
  });
});
