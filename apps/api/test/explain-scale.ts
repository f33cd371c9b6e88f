/**
 * The scale report: EXPLAIN ANALYZE of every page query (plan-cases.ts) on a database filled by
 * `pnpm db scale`, one line per request. README "Scaling" shows a run.
 *
 *   pnpm --filter @mini-crm/api exec node test/explain-scale.ts postgres://…/mini_crm_scale [--show <part of a name>]
 *
 * --show prints the plans of the requests whose name contains the text. "statements (prepared)"
 * counts those explained with their generic plan (plan-cases.ts).
 */
import { parseArgs } from 'node:util';
import { describePlan } from '@mini-crm/database/plans';
import { explainCases, loadFixtures, planFigures } from './plan-cases.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { show: { type: 'string' } } });
const url = positionals[0];
if (!url) throw new Error('usage: node test/explain-scale.ts <database url> [--show <part of a name>]');
const fixtures = await loadFixtures(url);
// Twice: the first pass warms the cache, the second is reported.
await explainCases(url, fixtures);
const results = await explainCases(url, fixtures);
console.log('| request | statements (prepared) | execution ms | most rows one node read | largest sort | seq scans |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const { name, statements } of results) {
  const figures = statements.map((statement) => planFigures(statement.plan));
  const ms = statements.reduce((sum, statement) => sum + statement.executionMs, 0);
  const most = Math.max(0, ...figures.map((figure) => figure.mostRowsThrough));
  const sort = Math.max(0, ...figures.map((figure) => figure.largestSort));
  const seq = figures.flatMap((figure) => figure.seqScans).join(', ') || '–';
  console.log(
    `| ${name} | ${statements.length} (${statements.filter((statement) => statement.isGenericPlan).length}) | ${ms.toFixed(2)} | ${Math.round(most)} | ${Math.round(sort)} | ${seq} |`,
  );
}
for (const { name, statements } of results.filter((result) => values.show && result.name.includes(values.show))) {
  for (const statement of statements)
    console.log(`\n${name}: ${statement.sql.slice(0, 60)}\n${describePlan(statement.plan)}`);
}
