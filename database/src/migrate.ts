/**
 * The migration runner: applies database/postgresql_mini_crm_NNN[_what].sql files in order, each in
 * its own transaction, and records name + checksum in schema_migrations. A file that changed after it
 * was applied stops the run (migrations are append-only).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const sqlDir = fileURLToPath(new URL('..', import.meta.url));
export const sampleDataFile = join(sqlDir, 'postgresql_mini_crm_sample_data.sql');

const migrationFile = /^postgresql_mini_crm_(\d{3})(_[a-z0-9_]+)?\.sql$/;
// Any constant works; it keeps two processes that start together from migrating at once.
const migrationLockId = 4_722_001;

export type Migration = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const checksumOf = (text: string) => createHash('sha256').update(text).digest('hex');

export async function loadMigrations(dir = sqlDir): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => migrationFile.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    }),
  );
}

/** Connects, runs `work`, and always closes the connection. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` between BEGIN and COMMIT, rolling back when it throws. */
export async function inTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Applies the pending migrations; returns the names it applied (none the second time). */
export async function migrate(url: string, dir = sqlDir): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  return withClient(url, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockId]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          name       text PRIMARY KEY,
          checksum   text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows } = await client.query<{ name: string; checksum: string }>(
        'SELECT name, checksum FROM schema_migrations ORDER BY name',
      );
      const applied = new Map(rows.map((row) => [row.name, row.checksum]));
      checkAppliedUnchanged(applied, migrations);

      const pending = migrations.filter((migration) => !applied.has(migration.name));
      for (const migration of pending) {
        await inTransaction(client, async () => {
          try {
            await client.query(migration.sql);
          } catch (error) {
            throw new MigrationError(`${migration.name} failed: ${(error as Error).message}`, { cause: error });
          }
          await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
            migration.name,
            migration.checksum,
          ]);
        });
      }
      return pending.map((migration) => migration.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockId]);
    }
  });
}

function checkAppliedUnchanged(applied: Map<string, string>, migrations: Migration[]) {
  const files = new Map(migrations.map((migration) => [migration.name, migration.checksum]));
  for (const [name, checksum] of applied) {
    const current = files.get(name);
    if (current === undefined) {
      throw new MigrationError(
        `${name} is recorded as applied but its file is missing: this code is older than the database.`,
      );
    }
    if (current !== checksum) {
      throw new MigrationError(
        `${name} was edited after it was applied (recorded checksum ${checksum.slice(0, 12)}…, file now ` +
          `${current.slice(0, 12)}…). Applied migrations are append-only: undo the edit and put the change ` +
          'in a new postgresql_mini_crm_NNN_<what>.sql file.',
      );
    }
  }
}
