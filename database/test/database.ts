/**
 * A database of this test file's own, cloned from the migrated template, and a pool on it.
 * Call once at the top of a test file: `const db = useTestDatabase();` then `db.pool.query(...)`.
 */
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase } from '../src/testing.ts';

export type TestDatabase = { pool: pg.Pool; url: string; serverVersion: string };

export function useTestDatabase(): TestDatabase {
  const { adminUrl, version } = inject('postgres');
  const db = { serverVersion: version } as TestDatabase;
  let drop = async () => {};
  beforeAll(async () => {
    const created = await createTestDatabase(adminUrl);
    drop = created.drop;
    db.url = created.url;
    db.pool = new pg.Pool({ connectionString: created.url, max: 4 });
  });
  afterAll(async () => {
    await db.pool?.end();
    await drop();
  });
  return db;
}

/** Runs `work` in a transaction that is always rolled back; `settings` are set_config(..., true). */
export async function inRolledBackTransaction<T>(
  pool: pg.Pool,
  settings: Record<string, string>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const [name, value] of Object.entries(settings)) {
      await client.query('SELECT set_config($1, $2, true)', [name, value]);
    }
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
