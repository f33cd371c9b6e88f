/**
 * The system under load, as it runs in production: PostgreSQL as a process of its own (durable
 * settings, killable with SIGKILL, restartable on the same data and port) and the API as a process
 * of its own (`node src/main.ts`, NODE_ENV=production, signed in to the database as mini_crm_app).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { withClient } from '@mini-crm/database';
import { freePort } from '@mini-crm/database/testing';
import { hashPassword } from '../../src/auth/passwords.ts';
import { createDataFolder, type DataFolder, type PostgresProcess, startPostgres } from '../postgres-process.ts';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

export const loadPassword = 'load-test-password';
export const loadAccounts = [
  { email: 'admin@load.example.com', role: 'admin' },
  { email: 'manager@load.example.com', role: 'manager' },
  { email: 'user@load.example.com', role: 'user' },
] as const;

export type ApiProcess = {
  url: string;
  pid: number;
  /** What the process printed (bounded to the last 200 000 characters). */
  output: () => string;
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | string | null>;
  hasExited: () => boolean;
  kill9: () => Promise<void>;
  stop: () => Promise<void>;
};

export type Stack = {
  folder: DataFolder;
  encryptionKey: string;
  postgres: () => PostgresProcess;
  api: () => ApiProcess;
  startPostgres: () => Promise<PostgresProcess>;
  startApi: () => Promise<ApiProcess>;
  close: () => Promise<void>;
};

/** A migrated database with the load accounts, PostgreSQL running and the API serving. */
export async function startStack(name: string): Promise<Stack> {
  const folder = await createDataFolder(`mini-crm-${name}-`);
  const encryptionKey = `faults-key-${randomUUID()}`;
  let postgres: PostgresProcess | undefined;
  let api: ApiProcess | undefined;
  const apiPort = await freePort();

  const stack: Stack = {
    folder,
    encryptionKey,
    postgres: () => required(postgres, 'PostgreSQL'),
    api: () => required(api, 'the API'),
    startPostgres: async () => {
      postgres = await startPostgres(folder);
      return postgres;
    },
    startApi: async () => {
      api = await startApiProcess(folder, encryptionKey, apiPort);
      return api;
    },
    close: async () => {
      if (api && !api.hasExited()) await api.stop();
      await postgres?.stop();
      await folder.remove();
    },
  };
  try {
    await stack.startPostgres();
    const passwordHash = await hashPassword(loadPassword);
    await withClient(folder.url, async (client) => {
      for (const account of loadAccounts) {
        await client.query(`INSERT INTO users (email, name, role, password_hash) VALUES ($1, $1, $2, $3)`, [
          account.email,
          account.role,
          passwordHash,
        ]);
      }
    });
    await stack.startApi();
    return stack;
  } catch (error) {
    await stack.close();
    throw error;
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} has not been started`);
  return value;
}

async function startApiProcess(folder: DataFolder, encryptionKey: string, port: number): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, ['src/main.ts'], {
    cwd: apiDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: folder.url,
      CRM_APP_DATABASE_URL: folder.appUrl,
      CRM_ENCRYPTION_KEY: encryptionKey,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let hasExited = false;
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve(code ?? signal);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!hasExited) {
    const response = await fetch(`${url}/healthz`).catch(() => null);
    if (response?.status === 200) break;
    if (Date.now() > deadline) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  if (hasExited || Date.now() > deadline) {
    child.kill('SIGKILL');
    throw new Error(`the API did not start:\n${output}`);
  }
  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    exited,
    hasExited: () => hasExited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
