/**
 * The SQL behind every page the API serves, with realistic parameters, for the plan test
 * (plans.test.ts) and the scale report (explain-scale.ts). Each case calls the very queries.ts
 * functions the router calls, with the filters, cursors and limits the router passes, inside
 * inRequestTransaction (so "today" and the caller's settings are the API's), on a pool whose
 * interceptor turns each statement into EXPLAIN (ANALYZE, FORMAT JSON) of itself with the same bind
 * values: a change to a query is a change to what is measured here.
 */
import {
  bindValueText,
  type ExplainRow,
  indexNames,
  type PlanNode,
  planNodes,
  planOf,
  rowsSorted,
  rowsThrough,
} from '@mini-crm/database/plans';
import { dashboardTaskLimit } from '@mini-crm/models';
import { createPgDriverFactory } from '@slonik/pg-driver';
import pg from 'pg';
import { createPool, type Interceptor, sql } from 'slonik';
import { countAuditEntries, countAuditSummary, listAuditEntries, listAuditSummary } from '../src/audit/queries.ts';
import { type ClientFilters, countClients, countTags, findClient, listClients } from '../src/clients/queries.ts';
import { listUrgentTasksOf, todayAndClientsByStatus } from '../src/dashboard/queries.ts';
import { inRequestTransaction, type Transaction } from '../src/db.ts';
import { countTasks, listTasks, type TaskFilters } from '../src/tasks/queries.ts';
import { countUsers, listUsers } from '../src/users/queries.ts';

/** Real rows of the dataset the cases ask about. */
export type Fixtures = {
  /** users.id and uuid of user@example.com, a `user` who owns some clients and has tasks. */
  userId: number;
  userUuid: string;
  /** The client with the most tasks. */
  busyClientUuid: string;
  /** The credential with the most audit rows. */
  busyCredentialUuid: string;
  /** A client half way down the name order: [name, uuid]. */
  midClient: { name: string; uuid: string; createdAt: string };
  /** A dated task half way down the due-date order, and an undated one. */
  midTask: { dueDate: string; uuid: string };
  undatedTask: { uuid: string };
  /** An audit row half way down the log. */
  midAuditUuid: string;
  /** A credential half way down the summary: [client name, client uuid, label, credential uuid]. */
  midSummary: [string, string, string, string];
};

export async function loadFixtures(url: string): Promise<Fixtures> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const one = async <T extends pg.QueryResultRow>(text: string) => {
      const row = (await db.query<T>(text)).rows[0];
      if (!row) throw new Error(`no fixture row: ${text}`);
      return row;
    };
    const user = await one<{ id: number; uuid: string }>("SELECT id, uuid FROM users WHERE email = 'user@example.com'");
    const busyClient = await one<{ uuid: string }>(
      'SELECT c.uuid FROM clients c JOIN tasks t ON t.client_id = c.id GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1',
    );
    const busyCredential = await one<{ uuid: string }>(
      `SELECT cd.uuid FROM credentials cd JOIN credential_audit_stats s ON s.credential_id = cd.id
       ORDER BY s.access_count DESC, cd.id LIMIT 1`,
    );
    const midClient = await one<{ name: string; uuid: string; created_at: string }>(
      `SELECT name, uuid, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
       FROM clients ORDER BY name, uuid OFFSET (SELECT count(*) / 2 FROM clients) LIMIT 1`,
    );
    const midTask = await one<{ due_date: string; uuid: string }>(
      `SELECT due_date::text, uuid FROM tasks WHERE due_date IS NOT NULL
       ORDER BY due_date, uuid OFFSET (SELECT count(*) / 2 FROM tasks WHERE due_date IS NOT NULL) LIMIT 1`,
    );
    const undatedTask = await one<{ uuid: string }>(
      'SELECT uuid FROM tasks WHERE due_date IS NULL ORDER BY uuid OFFSET (SELECT count(*) / 2 FROM tasks WHERE due_date IS NULL) LIMIT 1',
    );
    const midAudit = await one<{ uuid: string }>(
      `SELECT uuid FROM credential_audit_logs ORDER BY created_at DESC, id DESC
       OFFSET (SELECT count(*) / 2 FROM credential_audit_logs) LIMIT 1`,
    );
    const midSummary = await one<{ name: string; client_uuid: string; label: string; uuid: string }>(
      `SELECT cl.name, cl.uuid AS client_uuid, cd.label, cd.uuid FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
       ORDER BY cl.name, cl.uuid, cd.label, cd.uuid OFFSET (SELECT count(*) / 2 FROM credentials) LIMIT 1`,
    );
    return {
      userId: user.id,
      userUuid: user.uuid,
      busyClientUuid: busyClient.uuid,
      busyCredentialUuid: busyCredential.uuid,
      midClient: { name: midClient.name, uuid: midClient.uuid, createdAt: midClient.created_at },
      midTask: { dueDate: midTask.due_date, uuid: midTask.uuid },
      undatedTask,
      midAuditUuid: midAudit.uuid,
      midSummary: [midSummary.name, midSummary.client_uuid, midSummary.label, midSummary.uuid],
    };
  } finally {
    await db.end();
  }
}

/** One page request: what it runs, and as whom (`user`: user@example.com, else an admin's view). */
export type PlanCase = { name: string; as?: 'user'; run: (tx: Transaction, fixtures: Fixtures) => Promise<unknown> };

const page = 25;
const noClientFilters: ClientFilters = { search: null, status: null, tags: [], tagMatch: 'any', ownerId: null };
const noTaskFilters: TaskFilters = {
  clientId: null,
  assigneeId: null,
  status: null,
  priority: null,
  urgency: null,
  isOpen: null,
  dueFrom: null,
  dueTo: null,
  search: null,
};
const noAuditFilters = { credentialId: null, userId: null, action: null, from: null, to: null };
const staff = { ownerId: null };

/** clients.list as the router runs it: the page, then its total. */
const clientsList =
  (filters: Partial<ClientFilters>, sort: Parameters<typeof listClients>[2] = 'name') =>
  async (tx: Transaction) => {
    const all = { ...noClientFilters, ...filters };
    await listClients(tx, all, sort, null, page);
    await countClients(tx, all);
  };

const tasksList =
  (
    filters: (fixtures: Fixtures) => Partial<TaskFilters>,
    after: (fixtures: Fixtures) => [string | null, string] | null = () => null,
  ) =>
  async (tx: Transaction, fixtures: Fixtures) => {
    const all = { ...noTaskFilters, ...filters(fixtures) };
    await listTasks(tx, all, after(fixtures), page);
    await countTasks(tx, all);
  };

export const planCases: PlanCase[] = [
  // clients.list: each order, no filter
  ...(['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const).map((sort) => ({
    name: `clients.list sort ${sort}`,
    run: clientsList({}, sort),
  })),
  {
    name: 'clients.list after a name cursor',
    run: async (tx, f) => {
      await listClients(tx, noClientFilters, 'name', ['name', f.midClient.name, f.midClient.uuid], page);
    },
  },
  {
    name: 'clients.list after a -createdAt cursor',
    run: async (tx, f) => {
      await listClients(
        tx,
        noClientFilters,
        '-createdAt',
        ['-createdAt', f.midClient.createdAt, f.midClient.uuid],
        page,
      );
    },
  },
  { name: 'clients.list status archived', run: clientsList({ status: 'archived' }) },
  { name: 'clients.list status active by -updatedAt', run: clientsList({ status: 'active' }, '-updatedAt') },
  { name: 'clients.list tag smb', run: clientsList({ tags: ['smb'] }) },
  { name: 'clients.list tags smb and retail (all)', run: clientsList({ tags: ['smb', 'retail'], tagMatch: 'all' }) },
  { name: 'clients.list rare tag by -createdAt', run: clientsList({ tags: ['agriculture'] }, '-createdAt') },
  { name: 'clients.list active with tag enterprise', run: clientsList({ status: 'active', tags: ['enterprise'] }) },
  {
    name: 'clients.list owner',
    run: async (tx, f) => clientsList({ ownerId: f.userUuid })(tx),
  },
  {
    name: 'clients.list owner by createdAt',
    run: async (tx, f) => clientsList({ ownerId: f.userUuid }, 'createdAt')(tx),
  },
  { name: 'clients.list search "hopper" (name)', run: clientsList({ search: 'hopper' }) },
  { name: 'clients.list search "granite" (company)', run: clientsList({ search: 'granite' }) },
  { name: 'clients.list search "ada.lovelace@" (e-mail)', run: clientsList({ search: 'ada.lovelace@' }) },
  { name: 'clients.list search "zeynep nowak" (rare)', run: clientsList({ search: 'zeynep nowak' }) },
  { name: 'clients.list search "no such client"', run: clientsList({ search: 'no such client' }) },
  { name: 'clients.list search "son" (common)', run: clientsList({ search: 'son' }) },
  { name: 'clients.list search "zh" (2 characters)', run: clientsList({ search: 'zh' }) },
  { name: 'clients.list search "q" (1 character)', run: clientsList({ search: 'q' }) },
  { name: 'clients.list search "an" by -createdAt', run: clientsList({ search: 'an' }, '-createdAt') },
  {
    name: 'clients.list active, tag smb, search "lin"',
    run: clientsList({ status: 'active', tags: ['smb'], search: 'lin' }),
  },
  { name: 'clients.get', run: (tx, f) => findClient(tx, f.busyClientUuid) },
  { name: 'clients.tags', run: (tx) => countTags(tx) },

  // tasks.list
  { name: 'tasks.list', run: tasksList(() => ({})) },
  {
    name: 'tasks.list after a dated cursor',
    run: tasksList(
      () => ({}),
      (f) => [f.midTask.dueDate, f.midTask.uuid],
    ),
  },
  {
    name: 'tasks.list after an undated cursor',
    run: tasksList(
      () => ({}),
      (f) => [null, f.undatedTask.uuid],
    ),
  },
  ...(['overdue', 'due_today', 'due_soon', 'normal'] as const).flatMap((urgency) => [
    { name: `tasks.list ${urgency}`, run: tasksList(() => ({ urgency })) },
    { name: `tasks.list ${urgency} of one assignee`, run: tasksList((f) => ({ urgency, assigneeId: f.userUuid })) },
    { name: `tasks.list ${urgency} of one client`, run: tasksList((f) => ({ urgency, clientId: f.busyClientUuid })) },
  ]),
  { name: 'tasks.list of one assignee', run: tasksList((f) => ({ assigneeId: f.userUuid })) },
  {
    name: 'tasks.list of one assignee after a dated cursor',
    run: tasksList(
      (f) => ({ assigneeId: f.userUuid }),
      (f) => [f.midTask.dueDate, f.midTask.uuid],
    ),
  },
  { name: 'tasks.list open of one assignee', run: tasksList((f) => ({ assigneeId: f.userUuid, isOpen: true })) },
  { name: 'tasks.list of one client', run: tasksList((f) => ({ clientId: f.busyClientUuid })) },
  { name: 'tasks.list open', run: tasksList(() => ({ isOpen: true })) },
  { name: 'tasks.list closed', run: tasksList(() => ({ isOpen: false })) },
  { name: 'tasks.list in progress', run: tasksList(() => ({ status: 'in_progress' })) },
  { name: 'tasks.list urgent priority', run: tasksList(() => ({ priority: 'urgent' })) },
  {
    name: 'tasks.list due in a month',
    run: tasksList(() => ({
      dueFrom: new Date().toISOString().slice(0, 10),
      dueTo: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    })),
  },
  // A search that finds few tasks reads only those, from idx_tasks_search.
  { name: 'tasks.list search "no such task"', run: tasksList(() => ({ search: 'no such task' })) },
  { name: 'tasks.list search "zq" (2 characters)', run: tasksList(() => ({ search: 'zq' })) },

  // dashboard.summary, as the router runs it
  ...(['staff', 'user'] as const).map((role) => ({
    name: `dashboard.summary (${role === 'user' ? 'a user' : 'an admin'})`,
    as: role === 'user' ? ('user' as const) : undefined,
    run: async (tx: Transaction, f: Fixtures) => {
      await todayAndClientsByStatus(tx);
      await listUrgentTasksOf(tx, f.userId, dashboardTaskLimit);
      await listAuditEntries(tx, noAuditFilters, role === 'user' ? { ownerId: f.userId } : staff, null, 10);
    },
  })),

  // audit.list and audit.summary
  ...auditCases(),
  // users.list
  {
    name: 'users.list',
    run: async (tx) => {
      const filters = { search: null, role: null, isActive: null };
      await listUsers(tx, filters, null, page);
      await countUsers(tx, filters);
    },
  },
];

function auditCases(): PlanCase[] {
  type Filters = Parameters<typeof listAuditEntries>[1];
  const list =
    (filters: (f: Fixtures) => Partial<Filters>, after: (f: Fixtures) => string | null = () => null) =>
    async (tx: Transaction, f: Fixtures, ownerId: number | null) => {
      const all = { ...noAuditFilters, ...filters(f) };
      await listAuditEntries(tx, all, { ownerId }, after(f), page);
      await countAuditEntries(tx, all, { ownerId });
    };
  const lists: [string, ReturnType<typeof list>][] = [
    ['audit.list', list(() => ({}))],
    [
      'audit.list after a cursor',
      list(
        () => ({}),
        (f) => f.midAuditUuid,
      ),
    ],
    ['audit.list of a credential', list((f) => ({ credentialId: f.busyCredentialUuid }))],
    ['audit.list of a user', list((f) => ({ userId: f.userUuid }))],
    ['audit.list decrypts', list(() => ({ action: 'decrypt' }))],
    [
      'audit.list of last week',
      list(() => ({ from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date().toISOString() })),
    ],
  ];
  const summary =
    (after: (f: Fixtures) => Fixtures['midSummary'] | null) =>
    async (tx: Transaction, f: Fixtures, ownerId: number | null) => {
      await listAuditSummary(tx, { ownerId }, after(f), page);
      await countAuditSummary(tx, { ownerId });
    };
  const all: [string, ReturnType<typeof list>][] = [
    ...lists,
    ['audit.summary', summary(() => null)],
    ['audit.summary after a cursor', summary((f) => f.midSummary)],
  ];
  return all.flatMap(([name, run]) => [
    { name: `${name} (an admin)`, run: (tx, f) => run(tx, f, null) },
    { name: `${name} (a user: their clients only)`, as: 'user' as const, run: (tx, f) => run(tx, f, f.userId) },
  ]);
}

/**
 * A statement the case ran: its SQL (tag first) and its plan with the ANALYZE figures. A prepared
 * statement (db.ts `prepared`) is explained with its generic plan, the one PostgreSQL may settle on
 * for every call after the fifth; any other with the plan made for its values.
 */
export type ExplainedStatement = {
  sql: string;
  /** The statement's bind values, as the API sent them. */
  values: readonly unknown[];
  plan: PlanNode;
  executionMs: number;
  isGenericPlan: boolean;
};

/**
 * EXPLAIN ANALYZE of a statement's generic plan: PREPARE it, EXECUTE it with plan_cache_mode
 * force_generic_plan and the values as literals (typed by the statement, as bind values are). A
 * session's own function (pg_temp), so the API's role needs no grant for it.
 */
const explainGenericPlanFunction = sql.unsafe`
  /* plans.setup */
  CREATE FUNCTION pg_temp.explain_generic_plan(statement text, params text[]) RETURNS json LANGUAGE plpgsql AS $$
  DECLARE
    plan json;
    args text;
  BEGIN
    EXECUTE 'PREPARE plan_check AS ' || statement;
    PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
    SELECT '(' || string_agg(quote_nullable(p), ', ' ORDER BY i) || ')' INTO args
      FROM unnest(params) WITH ORDINALITY AS v(p, i);
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE plan_check' || coalesce(args, '') INTO plan;
    DEALLOCATE plan_check;
    PERFORM set_config('plan_cache_mode', 'auto', true);
    RETURN plan;
  END $$`;

const explainGenericPlanCall = 'SELECT pg_temp.explain_generic_plan($1::text, $2::text[]) AS "QUERY PLAN"';

/** Runs each case in a request transaction on `url` and returns what each statement's EXPLAIN ANALYZE said. */
export async function explainCases(url: string, fixtures: Fixtures, cases = planCases) {
  let statements: ExplainedStatement[] = [];
  const explainEach: Interceptor = {
    name: 'explain-analyze',
    transformQuery: (_context, query) => {
      // The request's own settings statement runs as it is: it sets TimeZone and app.user_id.
      if (query.sql.includes('/* request.scope */') || query.sql.includes('/* plans.setup */')) return query;
      if (query.name !== undefined) {
        return {
          sql: explainGenericPlanCall,
          values: [query.sql, query.values.map(bindValueText)],
        };
      }
      return { ...query, sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}` };
    },
    afterQueryExecution: (context, query, result) => {
      const isGenericPlan = query.sql === explainGenericPlanCall;
      if (isGenericPlan || query.sql.startsWith('EXPLAIN')) {
        const row = result.rows[0] as unknown as ExplainRow;
        statements.push({
          sql: context.originalQuery.sql.trim(),
          values: context.originalQuery.values,
          plan: planOf(row),
          executionMs: row['QUERY PLAN'][0]?.['Execution Time'] ?? 0,
          isGenericPlan,
        });
      }
      return null;
    },
  };
  // One connection, never reset (as the API's pool): the function above lives in its session.
  const pool = await createPool(url, {
    driverFactory: createPgDriverFactory(),
    interceptors: [explainEach],
    maximumPoolSize: 1,
    resetConnection: async () => {},
  });
  const results: { name: string; statements: ExplainedStatement[] }[] = [];
  try {
    await pool.query(explainGenericPlanFunction);
    for (const planCase of cases) {
      statements = [];
      const scope = {
        userId: planCase.as === 'user' ? fixtures.userId : null,
        ip: null,
        userAgent: null,
        timeZone: 'Europe/Berlin',
      };
      await inRequestTransaction(pool, scope, (tx) => planCase.run(tx, fixtures));
      results.push({ name: planCase.name, statements });
    }
  } finally {
    await pool.end();
  }
  return results;
}

/** The tables a page must never read whole. */
export const bigTables = ['clients', 'tasks', 'credentials', 'credential_audit_logs'];

/** What a statement's plan did to the big tables: sequential scans, the most rows one node went through, the largest sort. */
export function planFigures(plan: PlanNode) {
  const nodes = planNodes(plan);
  const onBigTable = nodes.filter((node) => bigTables.includes(node['Relation Name'] ?? ''));
  return {
    seqScans: onBigTable.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name'] ?? ''),
    mostRowsThrough: Math.max(0, ...onBigTable.map(rowsThrough)),
    largestSort: Math.max(
      0,
      ...nodes.filter((node) => node['Node Type'].endsWith('Sort')).map((node) => rowsSorted(node)),
    ),
    indexes: indexNames(plan),
  };
}
