/**
 * The README's "by hand with psql" steps, run by the real psql against an empty database: the SQL
 * files must work outside the app's runner too (no transaction wrapper, psql's own parsing).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations, sqlDir, withClient } from '../src/migrate.ts';
import { countsByTable, verifyInstallationQuery } from './verify-installation.ts';

const run = promisify(execFile);
const hasPsql = (() => {
  try {
    execFileSync('psql', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasPsql)('the SQL files through psql', () => {
  const { adminUrl } = inject('postgres');
  const name = `psql_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const psql = (...args: string[]) =>
    run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { cwd: sqlDir });

  beforeAll(() => withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`)));
  afterAll(() => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));

  it('creates the schema, loads the sample data and runs every documented query without an error', async () => {
    // Each migration whole or not at all, in order, as the README says.
    for (const { name } of await loadMigrations()) await psql('--single-transaction', '-f', name);
    await psql('-f', 'postgresql_mini_crm_sample_data.sql');
    const { stdout } = await psql('-f', 'postgresql_mini_crm_queries.sql');
    expect(stdout).toContain('credential_audit_logs');
  });

  it('shows every table non-empty in the spec\'s "Verify Installation" query', async () => {
    const { stdout } = await psql('-A', '-t', '-F', '|', '-c', verifyInstallationQuery);
    const counts = countsByTable(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split('|'))
        .map(([table_name = '', record_count = '']) => ({ table_name, record_count })),
    );
    expect(Object.keys(counts).sort()).toEqual(['clients', 'credential_audit_logs', 'credentials', 'tasks', 'users']);
    for (const [table, count] of Object.entries(counts)) expect(Number(count), table).toBeGreaterThan(0);
  });
});
