/**
 * Reading PostgreSQL's query plans (EXPLAIN (FORMAT JSON)) in tests: which indexes a query uses, and
 * with EXPLAIN ANALYZE how many rows each scan and sort went through, so that a test can say "this
 * page was served from an index and read about a page of rows", and fail when a change makes it
 * read the whole table.
 */
import pg from 'pg';

/** One node of EXPLAIN (FORMAT JSON)'s tree; the ANALYZE figures are there with ANALYZE only. */
export type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Rows Removed by Join Filter'?: number;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
};

/** EXPLAIN (FORMAT JSON)'s one row. */
export type ExplainRow = { 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] };

/** The top node of an EXPLAIN (FORMAT JSON) result row. */
export function planOf(row: ExplainRow): PlanNode {
  const plan = row['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('EXPLAIN returned no plan');
  return plan;
}

/** Every node of the tree, the top one first. */
export const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

/** The names of the indexes the plan reads. */
export const indexNames = (plan: PlanNode): string[] =>
  planNodes(plan).flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));

/** Runs EXPLAIN (FORMAT JSON[, ANALYZE]) of a query with its bind values and returns the plan's top node. */
export async function explain(
  db: Pick<pg.PoolClient, 'query'>,
  query: string,
  values: unknown[] = [],
  { analyze = false } = {},
): Promise<PlanNode> {
  const { rows } = await db.query<ExplainRow>(`EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${query}`, values);
  if (!rows[0]) throw new Error(`no plan for ${query}`);
  return planOf(rows[0]);
}

/**
 * With ANALYZE: the rows a node went through over all its loops, those it passed on and those its
 * conditions threw away (a scan that filters a whole table reads it all and passes on ten).
 */
export const rowsThrough = (node: PlanNode) =>
  ((node['Actual Rows'] ?? 0) +
    (node['Rows Removed by Filter'] ?? 0) +
    (node['Rows Removed by Index Recheck'] ?? 0) +
    (node['Rows Removed by Join Filter'] ?? 0)) *
  (node['Actual Loops'] ?? 1);

/** The rows a sort took in: its input's output, over all of the sort's loops. */
export const rowsSorted = (node: PlanNode) =>
  (node.Plans ?? []).reduce((sum, child) => sum + (child['Actual Rows'] ?? 0) * (child['Actual Loops'] ?? 1), 0);

/** A one-line-per-node outline, for failure messages: "Index Scan on clients using idx_clients_name rows=26". */
export function describePlan(node: PlanNode, depth = 0): string {
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const rows = node['Actual Rows'] === undefined ? '' : ` through=${Math.round(rowsThrough(node))}`;
  const line = `${'  '.repeat(depth)}${node['Node Type']}${on}${using}${rows}`;
  return [line, ...(node.Plans ?? []).map((child) => describePlan(child, depth + 1))].join('\n');
}

// pg's own conversion of a bind value to the text it sends; not in @types/pg.
const prepareValue = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils.prepareValue;

/**
 * The text pg sends for a bind value (arrays as '{…}', dates with their offset), or null: what a
 * statement run without bind parameters (pgbench variables, EXECUTE's arguments) must be given.
 */
export function bindValueText(value: unknown): string | null {
  const text = prepareValue(value);
  return text === null || text === undefined ? null : String(text);
}
