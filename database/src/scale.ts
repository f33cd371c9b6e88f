/**
 * `pnpm db scale`: fills a database with years of an agency's work (postgresql_mini_crm_scale_data.sql),
 * the dataset the plan tests and the benchmark measure the app against. The full set is 200 users,
 * 100,000 clients, 1,000,000 tasks, 50,000 credentials and 2,000,000 audit rows; `--scale 0.2` is a
 * fifth of it (the users stay 200).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inTransaction, sqlDir, withClient } from './migrate.ts';
import { demoEncryptionKey } from './seed.ts';

export const scaleDataFile = join(sqlDir, 'postgresql_mini_crm_scale_data.sql');

/** The embedded server's database for the scale data: the development database stays as it is. */
export const scaleDatabaseName = 'mini_crm_scale';

export type ScaleSizes = { users: number; clients: number; tasks: number; credentials: number; auditRows: number };

/** The sizes at `factor` times the full set; per client: 10 tasks, half a credential, 20 audit rows. */
export function scaleSizes(factor: number): ScaleSizes {
  if (!(factor > 0 && factor <= 10)) {
    throw new Error('--scale must be a number above 0 and at most 10 (1: the full set)');
  }
  const clients = Math.max(1, Math.round(100_000 * factor));
  return {
    users: 200,
    clients,
    tasks: clients * 10,
    credentials: Math.max(1, Math.round(clients / 2)),
    auditRows: clients * 20,
  };
}

export const describeSizes = (sizes: ScaleSizes) =>
  `${sizes.users} users, ${sizes.clients} clients, ${sizes.tasks} tasks, ${sizes.credentials} credentials, ` +
  `${sizes.auditRows} audit rows`;

/** What each step took, in seconds. */
export type ScaleTimings = { load: number; vacuum: number };

/**
 * Loads the scale data into a migrated database without users, in one transaction, then VACUUM
 * ANALYZE: fresh statistics for the planner, and a visibility map so that counts can be index-only.
 * The key travels as a bind parameter only.
 */
export async function loadScaleData(
  url: string,
  sizes: ScaleSizes,
  encryptionKey = demoEncryptionKey,
): Promise<ScaleTimings> {
  const script = await readFile(scaleDataFile, 'utf8');
  return withClient(url, async (client) => {
    const started = performance.now();
    await inTransaction(client, async () => {
      const settings: [string, number][] = [
        ['scale.users', sizes.users],
        ['scale.clients', sizes.clients],
        ['scale.tasks', sizes.tasks],
        ['scale.credentials', sizes.credentials],
        ['scale.audit_rows', sizes.auditRows],
      ];
      for (const [name, value] of settings) {
        await client.query('SELECT set_config($1, $2, true)', [name, String(value)]);
      }
      await client.query("SELECT set_config('app.encryption_key', $1, true)", [encryptionKey]);
      await client.query(script);
    });
    const loaded = performance.now();
    await client.query('VACUUM (ANALYZE) users, clients, tasks, credentials, credential_audit_logs');
    await client.query('ANALYZE');
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    return { load: seconds(loaded - started), vacuum: seconds(performance.now() - loaded) };
  });
}
