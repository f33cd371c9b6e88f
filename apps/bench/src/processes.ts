/**
 * The two servers under load, each a process of its own so that neither shares an event loop with
 * the load generator: (c) the API as `pnpm start` runs it (node with the start script's flags, see
 * startFlags), and (b) the bare node:http + pg server (bare-server.ts). Also: the API's resident
 * memory, read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const apiDir = fileURLToPath(new URL('../../api', import.meta.url));
const bareServerFile = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

export type ServerProcess = {
  url: string;
  pid: number;
  /** The process's last output, for an error message. */
  output: () => string;
  stop: () => Promise<void>;
};

export type ApiSettings = {
  ownerUrl: string;
  appUrl: string;
  encryptionKey: string;
  nodeEnv: 'production' | 'test';
  /** node's flags before src/main.ts: startFlags(). */
  nodeFlags: string[];
};

/**
 * The node flags of the API's `start` script (the heap cap, README "Performance at scale"), so that
 * the measured process runs as `pnpm start` runs it; the script is the one place they are written.
 */
export async function startFlags(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(`${apiDir}/package.json`, 'utf8')) as { scripts: { start: string } };
  const command = /\bnode\s+(.*?)\s*src\/main\.ts/.exec(manifest.scripts.start);
  if (!command) throw new Error(`apps/api's start script does not run node src/main.ts: ${manifest.scripts.start}`);
  return (command[1] ?? '').split(/\s+/).filter(Boolean);
}

/** The API with DATABASE_URL and CRM_APP_DATABASE_URL on the measured database; request logs off. */
export async function startApi(settings: ApiSettings): Promise<ServerProcess> {
  const port = await freePort();
  // Only what main.ts reads (README's configuration table), nothing inherited that would change it.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('CRM_') &&
        !['DATABASE_URL', 'NODE_ENV', 'HOST', 'PORT', 'LOG_LEVEL', 'TRUST_PROXY'].includes(name),
    ),
  );
  const env = {
    ...inherited,
    NODE_ENV: settings.nodeEnv,
    DATABASE_URL: settings.ownerUrl,
    CRM_APP_DATABASE_URL: settings.appUrl,
    CRM_ENCRYPTION_KEY: settings.encryptionKey,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [...settings.nodeFlags, 'src/main.ts'], {
    cwd: apiDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  return waitUntilServing(child, url, async () => (await fetch(`${url}/healthz`)).status === 200);
}

/** The bare server: statements from `statementsFile`, the database URL in the environment only. */
export async function startBareServer(databaseUrl: string, statementsFile: string): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [bareServerFile, statementsFile], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  return waitUntilServing(child, url, async () => (await fetch(`${url}/ready`)).status === 200);
}

async function waitUntilServing(child: ChildProcess, url: string, isReady: () => Promise<boolean>) {
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let hasExited = false;
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      hasExited = true;
      done();
    }),
  );
  const stop = async () => {
    if (!hasExited) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  while (!(await isReady().catch(() => false))) {
    if (hasExited || Date.now() > deadline) {
      await stop();
      throw new Error(`${url} did not start:\n${output.trim()}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return { url, pid: child.pid ?? 0, output: () => output, stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A process's resident memory now and its peak so far (VmRSS, VmHWM), in bytes. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Polls VmRSS every 100 ms until stopped: the most the process held during a run. */
export function sampleRss(pid: number): () => number {
  let most = 0;
  const read = async () => {
    most = Math.max(most, (await memoryOf(pid)).rss);
  };
  void read();
  const timer = setInterval(read, 100);
  return () => {
    clearInterval(timer);
    return most;
  };
}
