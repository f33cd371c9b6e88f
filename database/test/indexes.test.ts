// The planner is left to choose freely (no enable_seqscan = off): the data is sized so that an index
// is the honest best plan, the way the spec's queries meet it on a real CRM of a few thousand rows.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlDir } from '../src/migrate.ts';
import { explain, indexNames } from '../src/plans.ts';
import { useTestDatabase } from '../src/testing.ts';
import { sqlError } from './rows.ts';

const db = useTestDatabase();

const userCount = 3000;
const clientCount = 5000;
const taskCount = 20_000;

beforeAll(async () => {
  await db.pool.query(
    `INSERT INTO users (email, name, password_hash)
     SELECT format('user%s@example.com', g), format('User %s', g), 'not-a-real-hash'
     FROM generate_series(1, $1::int) g`,
    [userCount],
  );
  // Every client is tagged 'common'; one in a thousand carries 'rare-tag'.
  await db.pool.query(
    `INSERT INTO clients (name, tags, owner_user_id)
     SELECT format('Client %s', g),
            CASE WHEN g % 1000 = 0 THEN ARRAY['common', 'rare-tag']
                 WHEN g % 2 = 0 THEN ARRAY['common', 'smb']
                 ELSE ARRAY['common'] END,
            1 + g % $2::int
     FROM generate_series(1, $1::int) g`,
    [clientCount, userCount],
  );
  // 70% of the tasks are completed or cancelled, mostly long past due; the open ones are mostly due
  // in the future; 2% (every 50th) are open and overdue.
  await db.pool.query(
    `INSERT INTO tasks (client_id, title, status, due_date, assigned_user_id)
     SELECT 1 + g % $2::int, format('Task %s', g),
            CASE WHEN g % 50 = 0 THEN 'pending'
                 WHEN g % 10 < 6 THEN 'completed'
                 WHEN g % 10 < 7 THEN 'cancelled'
                 ELSE (ARRAY['pending', 'in_progress', 'on_hold'])[1 + g % 3] END,
            CASE WHEN g % 50 = 0 THEN CURRENT_DATE - (1 + g % 30)
                 WHEN g % 10 < 7 THEN CURRENT_DATE - (1 + g % 300)
                 ELSE CURRENT_DATE + g % 60 END,
            1 + g % $3::int
     FROM generate_series(1, $1::int) g`,
    [taskCount, clientCount, userCount],
  );
  await db.pool.query('ANALYZE users, clients, tasks');
});

/** The names of the indexes the planner picks for a query. */
const indexesUsedBy = async (query: string, values: unknown[] = []) =>
  indexNames(await explain(db.pool, query, values));

describe('the planner uses the schema indexes', () => {
  it('finds clients by a rare tag through the GIN index idx_clients_tags', async () => {
    const query = "SELECT id, name, tags FROM clients WHERE tags && ARRAY['rare-tag']";
    expect(await indexesUsedBy(query)).toContain('idx_clients_tags');
    const { rows } = await db.pool.query(query);
    expect(rows).toHaveLength(clientCount / 1000);
  });

  it('finds overdue open tasks through a partial open-task index', async () => {
    const query = `SELECT id, title, due_date FROM tasks
                   WHERE status NOT IN ('completed', 'cancelled') AND due_date < CURRENT_DATE`;
    const used = await indexesUsedBy(query);
    expect(
      used.some((name) => name.startsWith('idx_tasks_open_')),
      `indexes used: ${used.join(', ')}`,
    ).toBe(true);
    const { rows } = await db.pool.query(query);
    expect(rows).toHaveLength(taskCount / 50);
  });

  it('finds a user by email case-insensitively through idx_users_email_lower', async () => {
    const query = 'SELECT id, email FROM users WHERE lower(email) = lower($1)';
    expect(await indexesUsedBy(query, ['User17@Example.COM'])).toContain('idx_users_email_lower');
    const { rows } = await db.pool.query(query, ['User17@Example.COM']);
    expect(rows).toEqual([{ id: expect.any(Number), email: 'user17@example.com' }]);
    // The same index keeps two accounts from differing only by case.
    const error = await sqlError(
      db.pool.query("INSERT INTO users (email, name, password_hash) VALUES ('USER17@example.com', 'Twin', 'x')"),
    );
    expect(error).toMatchObject({ code: '23505', message: expect.stringContaining('idx_users_email_lower') });
  });
});

describe('index definitions', () => {
  it('creates every index of postgresql_mini_crm_001.sql on its table', async () => {
    const schema = await readFile(join(sqlDir, 'postgresql_mini_crm_001.sql'), 'utf8');
    const declared = [...schema.matchAll(/CREATE\s+(UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+(\w+)/gi)].map((match) => ({
      name: match[2],
      table: match[3],
      unique: Boolean(match[1]),
    }));
    expect(declared.map((index) => index.name)).toEqual(
      expect.arrayContaining([
        'idx_clients_tags',
        'idx_users_email_lower',
        'idx_tasks_open_due_date',
        'idx_credential_audit_logs_user_created_at',
      ]),
    );
    const { rows } = await db.pool.query<{ name: string; table: string; unique: boolean }>(
      `SELECT i.indexname AS name, i.tablename AS table, x.indisunique AS unique
       FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
       WHERE i.schemaname = 'public'`,
    );
    expect(rows).toEqual(expect.arrayContaining(declared));
  });

  it('keeps the partial, GIN and expression definitions', async () => {
    const { rows } = await db.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    );
    const definition = Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef]));
    expect(definition.idx_credential_audit_logs_user_created_at).toMatch(
      /ON public\.credential_audit_logs USING btree \(user_id, created_at\) WHERE \(user_id IS NOT NULL\)$/,
    );
    expect(definition.idx_clients_tags).toMatch(/ON public\.clients USING gin \(tags\)$/);
    expect(definition.idx_users_email_lower).toMatch(/^CREATE UNIQUE INDEX .* \(lower\(\(email\)::text\)\)$/);
    // "Open" in the partial task indexes is exactly the views' definition: not completed, not cancelled.
    for (const name of [
      'idx_tasks_open_due_date',
      'idx_tasks_open_client_due_date',
      'idx_tasks_open_assignee_due_date',
    ]) {
      expect(definition[name], name).toMatch(
        /WHERE \(\(status\)::text <> ALL \(\(ARRAY\['completed'::character varying, 'cancelled'::character varying\]\)::text\[\]\)\)$/,
      );
    }
  });
});
