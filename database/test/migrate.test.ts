import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadMigrations, migrate, sqlDir } from '../src/migrate.ts';
import { createTestDatabase } from '../src/testing.ts';

// Each test gets a database of its own: these tests add migrations to it.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function freshDatabase() {
  const created = await createTestDatabase(inject('postgres').adminUrl);
  const pool = new pg.Pool({ connectionString: created.url, max: 2 });
  cleanups.push(async () => {
    await pool.end();
    await created.drop();
  });
  return { url: created.url, pool };
}

async function copyOfMigrations() {
  const dir = await mkdtemp(join(tmpdir(), 'mini-crm-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const migration of await loadMigrations(sqlDir)) {
    await writeFile(join(dir, migration.name), await readFile(join(sqlDir, migration.name), 'utf8'));
  }
  return dir;
}

describe('migration runner', () => {
  it('records every migration with its checksum, and does nothing the second time', async () => {
    const db = await freshDatabase();
    const { rows } = await db.pool.query('SELECT name, checksum FROM schema_migrations ORDER BY name');
    const files = await loadMigrations();
    expect(rows).toEqual(files.map(({ name, checksum }) => ({ name, checksum })));
    expect(await migrate(db.url)).toEqual([]);
  });

  it('applies a new file in order, and refuses to run after an applied file was edited', async () => {
    const db = await freshDatabase();
    const dir = await copyOfMigrations();
    await writeFile(join(dir, 'postgresql_mini_crm_999_test_note.sql'), 'CREATE TABLE migration_probe (id int);');
    expect(await migrate(db.url, dir)).toEqual(['postgresql_mini_crm_999_test_note.sql']);
    await db.pool.query('SELECT * FROM migration_probe');

    await writeFile(join(dir, 'postgresql_mini_crm_999_test_note.sql'), 'CREATE TABLE migration_probe2 (id int);');
    await expect(migrate(db.url, dir)).rejects.toThrow(
      /postgresql_mini_crm_999_test_note\.sql was edited after it was applied/,
    );
    const probe2 = await db.pool.query("SELECT to_regclass('migration_probe2') AS table");
    expect(probe2.rows[0].table).toBeNull();
  });

  it('rolls a failing migration back whole and does not record it', async () => {
    const db = await freshDatabase();
    const dir = await copyOfMigrations();
    await writeFile(
      join(dir, 'postgresql_mini_crm_998_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();',
    );
    await expect(migrate(db.url, dir)).rejects.toThrow(/postgresql_mini_crm_998_broken\.sql failed/);
    const { rows } = await db.pool.query(
      "SELECT to_regclass('half_done') AS table, (SELECT count(*)::int FROM schema_migrations WHERE name LIKE '%998%') AS recorded",
    );
    expect(rows[0]).toEqual({ table: null, recorded: 0 });
  });
});
