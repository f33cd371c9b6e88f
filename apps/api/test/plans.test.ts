/**
 * Every page the API serves is read from an index at scale (issue 5), checked on the mid-size
 * dataset `pnpm db scale --scale 0.2` makes: 200 users, 20,000 clients, 200,000 tasks, 10,000
 * credentials, 400,000 audit rows. Each case of plan-cases.ts runs the API's own query functions
 * with real parameters, as the API's role, and EXPLAIN ANALYZE reports what each statement read.
 * The planner is left to choose freely (no enable_* switches), after VACUUM ANALYZE. A statement
 * the API prepares (db.ts `prepared`) is checked with its generic plan, the plan PostgreSQL may
 * reuse for every value after five calls; any other with the plan made for its values.
 *
 * What fails the test, per statement:
 * - a node that goes through more than `rowBudget` rows of clients, tasks, credentials or the audit
 *   log (rows it passes on plus rows its conditions threw away). A full scan here reads 20,000
 *   clients, 200,000 tasks or 400,000 audit rows; the heaviest honest page reads about 3,100 rows:
 *   a search combined with a tag and a status, or a `user`'s whole audit history (their own rows);
 * - a sequential scan of those tables, unless a LIMIT stopped it within that budget (a capped count
 *   that found its thousand rows early: that is no full scan);
 * - a sort that takes in more than `sortBudget` rows: sorts are top-N sorts of a page's worth, of a
 *   thousand counted rows, or of a user's own audit rows.
 * Timings are not asserted (the machine is shared); the report script shows them (README, Scaling).
 */
import { loadScaleData, scaleSizes } from '@mini-crm/database';
import { describePlan, explain, type PlanNode, rowsSorted, rowsThrough } from '@mini-crm/database/plans';
import { useTestDatabase } from '@mini-crm/database/testing';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEncryptionKey } from './api.ts';
import { bigTables, type ExplainedStatement, explainCases, loadFixtures, planCases } from './plan-cases.ts';

const rowBudget = 4000;
const sortBudget = 3000;

const db = useTestDatabase();
let results = new Map<string, ExplainedStatement[]>();

beforeAll(async () => {
  await loadScaleData(db.url, scaleSizes(0.2), testEncryptionKey);
  const fixtures = await loadFixtures(db.url);
  // As mini_crm_app: the API's role, so the figures tables' grants are proven too.
  const explained = await explainCases(db.appUrl, fixtures);
  results = new Map(explained.map((result) => [result.name, result.statements]));
}, 600_000);

/** What in a plan breaks the rules above, one line each; empty when it keeps them. */
function violations(node: PlanNode, underLimit = false): string[] {
  const found: string[] = [];
  const table = node['Relation Name'] ?? '';
  const through = Math.round(rowsThrough(node));
  if (bigTables.includes(table)) {
    if (through > rowBudget) found.push(`${node['Node Type']} on ${table} went through ${through} rows`);
    if (node['Node Type'] === 'Seq Scan' && !underLimit) found.push(`Seq Scan on ${table} with no LIMIT to stop it`);
  }
  if (node['Node Type'].endsWith('Sort') && rowsSorted(node) > sortBudget) {
    found.push(`${node['Node Type']} of ${Math.round(rowsSorted(node))} rows`);
  }
  const isLimit = underLimit || node['Node Type'] === 'Limit';
  return [...found, ...(node.Plans ?? []).flatMap((child) => violations(child, isLimit))];
}

describe('at 20,000 clients and 200,000 tasks, each page reads about a page of rows, from an index', () => {
  it.each(planCases.map((planCase) => planCase.name))('%s', (name) => {
    const statements = results.get(name) ?? [];
    expect(statements.length, 'statements explained').toBeGreaterThan(0);
    for (const statement of statements) {
      const found = violations(statement.plan);
      const plan = statement.isGenericPlan ? 'generic plan (prepared)' : 'plan';
      expect(found, `${statement.sql.slice(0, 200)}\n${plan}:\n${describePlan(statement.plan)}`).toEqual([]);
    }
  });
});

describe('the plan checks', () => {
  it('cover every procedure of the issue', () => {
    const names = planCases.map((planCase) => planCase.name.split(' ')[0]);
    for (const procedure of [
      'clients.list',
      'clients.get',
      'tasks.list',
      'dashboard.summary',
      'audit.list',
      'audit.summary',
    ]) {
      expect(names).toContain(procedure);
    }
  });

  it('fail on what the API did before: an exact count(*) of a broad filter, and a sort with no index', async () => {
    const count = await explain(
      db.pool,
      "SELECT count(*) FROM tasks t WHERE t.status NOT IN ('completed', 'cancelled')",
      [],
      {
        analyze: true,
      },
    );
    expect(violations(count).join('\n')).toMatch(/on tasks went through \d+ rows/);
    const unindexedOrder = await explain(db.pool, 'SELECT id FROM clients ORDER BY lower(name), id LIMIT 26', [], {
      analyze: true,
    });
    expect(violations(unindexedOrder).join('\n')).toMatch(/Seq Scan on clients went through \d+ rows/);
  });

  it('check what the API runs: the generic plan of a prepared statement, a fresh plan of a search', () => {
    const statementsOf = (name: string) => results.get(name) ?? [];
    const planKinds = (name: string) => statementsOf(name).map((statement) => statement.isGenericPlan);
    expect(planKinds('clients.get')).toEqual([true]);
    expect(planKinds('tasks.list overdue of one assignee')).toEqual([true, true]);
    expect(planKinds('clients.list search "granite" (company)')).toEqual([false, false]);
  });

  it('are the plans PostgreSQL runs: it settles on the generic plan of every prepared statement', async () => {
    // PostgreSQL keeps planning a prepared statement for its values while the generic plan looks
    // dearer than those plans (a bound LIMIT did: sql-fragments.ts limitOf); then naming it saved
    // only the parsing. Each statement runs as the API runs it, by name, past the fifth call.
    const preparedStatements = new Map<string, readonly unknown[]>();
    for (const statement of [...results.values()].flat()) {
      if (statement.isGenericPlan) preparedStatements.set(statement.sql, statement.values);
    }
    expect(preparedStatements.size, 'prepared statements explained').toBeGreaterThan(20);
    const client = new pg.Client({ connectionString: db.appUrl, options: '-c TimeZone=Europe/Berlin' });
    await client.connect();
    try {
      for (const [index, [text, values]] of [...preparedStatements].entries()) {
        for (let call = 0; call < 8; call += 1)
          await client.query({ name: `plan_use_${index}`, text, values: [...values] });
      }
      const { rows } = await client.query<{ statement: string }>(
        'SELECT statement FROM pg_prepared_statements WHERE generic_plans = 0',
      );
      expect(rows.map((row) => row.statement.trim().slice(0, 160))).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('run on the mid-size dataset', async () => {
    const { rows } = await db.pool.query<{ clients: string; tasks: string; audit: string }>(
      `SELECT (SELECT count(*) FROM clients) AS clients, (SELECT count(*) FROM tasks) AS tasks,
              (SELECT count(*) FROM credential_audit_logs) AS audit`,
    );
    expect(rows[0]).toEqual({ clients: '20000', tasks: '200000', audit: '400000' });
  });
});
