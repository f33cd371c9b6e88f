/**
 * The spec's "Verify Installation" query, read from the first statement of
 * postgresql_mini_crm_queries.sql so the tests check the very text users run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlDir } from '../src/migrate.ts';

const queriesFile = readFileSync(join(sqlDir, 'postgresql_mini_crm_queries.sql'), 'utf8');
const start = queriesFile.indexOf('SELECT table_name, record_count');

export const verifyInstallationQuery = queriesFile.slice(start, queriesFile.indexOf(';', start));

/** Table name → row count, from the query's two columns. */
export function countsByTable(rows: { table_name: string; record_count: string | number }[]) {
  return Object.fromEntries(rows.map((row) => [row.table_name, Number(row.record_count)]));
}
