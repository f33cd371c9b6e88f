/**
 * Real PostgreSQL servers for test suites (no mocks): a throwaway embedded server, or Debian's
 * PostgreSQL 15 when its binaries are installed. Each test file then gets its own database cloned
 * from a migrated template, so files run in parallel without seeing each other's rows. The API's
 * role, mini_crm_app, may sign in to every one of them (`appUrl`), as it does in production.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { type RunningPostgres, serverUrl, startEmbeddedPostgres } from './embedded.ts';
import { migrate, withClient } from './migrate.ts';
import { appRoleUrl, enableAppLogin, newAppPassword } from './roles.ts';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; version: string; appPassword: string };
  }
}

export const templateDatabase = 'crm_template';
export const systemPostgresBin = process.env.CRM_PG15_BIN ?? '/usr/lib/postgresql/15/bin';
export const hasSystemPostgres = () => existsSync(join(systemPostgresBin, 'postgres'));

// Durability is pointless for a server that is deleted after the run; turning it off saves seconds.
const throwawaySettings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

export type TestServerKind = 'embedded' | 'system';

export type TestServer = RunningPostgres & {
  version: string;
  /** mini_crm_app's password on this server (role names, and so passwords, are server-wide). */
  appPassword: string;
};

/** Starts an empty server in a temporary folder and builds the migrated template database. */
export async function startTestServer(kind: TestServerKind): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), `mini-crm-${kind}-`));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const server =
    kind === 'embedded'
      ? await startEmbeddedPostgres({ dataDir, port, database: templateDatabase, settings: throwawaySettings })
      : await startSystemPostgres(dataDir, port);
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await migrate(server.url);
    const appPassword = newAppPassword();
    await enableAppLogin(server.url, appPassword);
    const version = await withClient(server.adminUrl, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version ?? 'unknown';
    });
    return { ...server, version, appPassword, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh database cloned from the migrated template; drop() removes it. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(adminUrl, async (client) => {
        // A pool ended just before has backends still on their way out; FORCE would send each a FATAL
        // error that its closing client reports as an uncaught exception. Let them go first.
        for (let wait = 0; wait < 50; wait += 1) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((done) => setTimeout(done, 100));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

async function startSystemPostgres(dataDir: string, port: number): Promise<RunningPostgres> {
  const pgData = join(dataDir, 'data');
  // PostgreSQL refuses to run as root; Debian's package creates the `postgres` user.
  const asPostgres = (command: string, args: string[]) =>
    process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', join(systemPostgresBin, command), ...args])
      : run(join(systemPostgresBin, command), args);
  if (process.getuid?.() === 0) await run('chown', ['postgres', dataDir]);
  await asPostgres('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale']);
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: "''", ...throwawaySettings };
  const flags = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  await asPostgres('pg_ctl', [
    '-D',
    pgData,
    '-o',
    `-p ${port} ${flags}`,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    'start',
  ]);
  const adminUrl = serverUrl(port, 'postgres');
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${templateDatabase}`));
  return {
    url: serverUrl(port, templateDatabase),
    adminUrl,
    port,
    stop: async () => {
      await asPostgres('pg_ctl', ['-D', pgData, '-m', 'immediate', '-w', 'stop']);
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A vitest globalSetup body: starts a server, hands its address to the test files, stops it after. */
export async function setupTestServer(project: TestProject, kind: TestServerKind) {
  const server = await startTestServer(kind);
  project.provide('postgres', { adminUrl: server.adminUrl, version: server.version, appPassword: server.appPassword });
  return server.stop;
}

/**
 * A database of this test file's own, cloned from the migrated template, and a pool on it.
 * Call once at the top of a test file: `const db = useTestDatabase();` then `db.pool.query(...)`.
 * `pool` and `url` sign in as the superuser (arranging rows, checking them); `appUrl` as mini_crm_app,
 * the role the API runs as.
 */
export type TestDatabase = { pool: pg.Pool; url: string; appUrl: string; serverVersion: string };

export function useTestDatabase(): TestDatabase {
  const { adminUrl, version, appPassword } = inject('postgres');
  const db = { serverVersion: version } as TestDatabase;
  let drop = async () => {};
  beforeAll(async () => {
    const created = await createTestDatabase(adminUrl);
    drop = created.drop;
    db.url = created.url;
    db.appUrl = appRoleUrl(created.url, appPassword);
    db.pool = new pg.Pool({ connectionString: created.url, max: 4 });
  });
  afterAll(async () => {
    await db.pool?.end();
    await drop();
  });
  return db;
}

export type TransactionOptions = {
  /** Set with set_config(name, value, true), so they end with the transaction, as the API sets them per request. */
  settings?: Record<string, string>;
  /** false: always roll back, so a test's rows never reach the other tests. */
  commit?: boolean;
};

/** Runs a test's `work` in a transaction on a connection of its own; commits unless told not to, rolls back on error. */
export async function inTestTransaction<T>(
  pool: pg.Pool,
  { settings = {}, commit = true }: TransactionOptions,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const [name, value] of Object.entries(settings)) {
      await client.query('SELECT set_config($1, $2, true)', [name, value]);
    }
    const result = await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
