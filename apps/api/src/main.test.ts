/**
 * The start command as a developer runs it: a real process, a real embedded PostgreSQL in a
 * temporary CRM_DATA_DIR, stopped by signals and by kill -9.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseName, demoEncryptionKey, isAlive, serverUrl, withClient } from '@mini-crm/database';
import { freePort } from '@mini-crm/database/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCrmClient } from './client.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

type RunningApi = { child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> };

function startApi(env: Record<string, string>): RunningApi {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: apiDir,
    env: { ...process.env, DATABASE_URL: '', NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port: Number(env.PORT), output: () => output, exited };
}

async function waitUntilHealthy(api: RunningApi) {
  const deadline = Date.now() + 60_000;
  let hasExited = false;
  void api.exited.then(() => (hasExited = true));
  while (Date.now() < deadline && !hasExited) {
    const response = await fetch(`http://127.0.0.1:${api.port}/healthz`).catch(() => null);
    if (response?.status === 200) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`the API did not become healthy:\n${api.output()}`);
}

function postgresPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('the start command on the embedded database', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let databaseUrl: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-start-'));
    const dbPort = await freePort();
    env = { CRM_DATA_DIR: dataDir, CRM_DB_PORT: String(dbPort), PORT: String(await freePort()) };
    databaseUrl = serverUrl(dbPort, databaseName);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the database with the sample data, and Ctrl-C stops PostgreSQL with the app', async () => {
    const api = startApi(env);
    await waitUntilHealthy(api);
    const pid = postgresPid(dataDir);
    await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query("SELECT role FROM users WHERE email = 'admin@example.com'");
      expect(rows).toEqual([{ role: 'admin' }]);
      await client.query("INSERT INTO clients (name) VALUES ('Kept Between Runs Ltd')");
    });

    // The demo accounts sign in, and the sample credentials decrypt with the development key.
    const crm = createCrmClient(`http://127.0.0.1:${api.port}`);
    await crm.auth.login.mutate({ email: 'manager@example.com', password: 'demo-password' });
    const { items, total } = await crm.clients.list.query({ limit: 100 });
    expect(total).toBeGreaterThanOrEqual(30);
    const sample = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ client_id: string; id: string; value: string }>(
        `SELECT cl.uuid AS client_id, cd.uuid AS id, decrypt_credential_value(cd.encrypted_value, $1) AS value
         FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
         WHERE cd.deleted_at IS NULL AND cd.encrypted_value IS NOT NULL ORDER BY cd.id LIMIT 1`,
        [demoEncryptionKey],
      );
      return rows[0];
    });
    expect(items.map((client) => client.id)).toContain(sample?.client_id);
    const listed = await crm.credentials.list.query({ clientId: sample?.client_id ?? '' });
    expect(listed.map((credential) => credential.id)).toContain(sample?.id);
    expect(await crm.credentials.reveal.mutate({ id: sample?.id ?? '' })).toEqual({
      id: sample?.id,
      value: sample?.value,
    });
    expect(api.output()).toMatch(/WARNING: CRM_ENCRYPTION_KEY is not set/);

    api.child.kill('SIGINT');
    expect(await api.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('keeps the data on the next start and does not load the sample data twice; SIGTERM stops it', async () => {
    const api = startApi(env);
    await waitUntilHealthy(api);
    const pid = postgresPid(dataDir);
    await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query(
        "SELECT (SELECT count(*)::int FROM clients WHERE name = 'Kept Between Runs Ltd') AS kept, " +
          "(SELECT count(*)::int FROM users WHERE email = 'admin@example.com') AS admins",
      );
      expect(rows[0]).toEqual({ kept: 1, admins: 1 });
    });

    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('starts cleanly after the app was killed with kill -9, stopping the PostgreSQL it left behind', async () => {
    const killed = startApi(env);
    await waitUntilHealthy(killed);
    const orphan = postgresPid(dataDir);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(isAlive(orphan)).toBe(true); // the situation this guards against is real

    const api = startApi(env);
    await waitUntilHealthy(api);
    expect(isAlive(orphan)).toBe(false);
    expect(postgresPid(dataDir)).not.toBe(orphan);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });
});

describe('the start command with DATABASE_URL', () => {
  it('migrates that server, loads no sample data and starts no PostgreSQL of its own', async () => {
    const { adminUrl } = inject('postgres');
    const name = `start_${process.pid}_${Date.now()}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    const dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-unused-'));
    try {
      const api = startApi({ DATABASE_URL: url, CRM_DATA_DIR: dataDir, PORT: String(await freePort()) });
      await waitUntilHealthy(api);
      await withClient(url, async (client) => {
        const migrations = await client.query('SELECT name FROM schema_migrations');
        expect(migrations.rows.map((row) => row.name)).toContain('postgresql_mini_crm_001.sql');
        const users = await client.query('SELECT count(*)::int AS count FROM users');
        expect(users.rows[0].count).toBe(0);
      });
      expect(await readdir(dataDir)).toEqual([]);
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    } finally {
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('configuration errors', () => {
  it('refuses to start with a key that is not the one its version was first used with, in development too', async () => {
    const { adminUrl } = inject('postgres');
    const name = `wrong_key_${process.pid}_${Date.now()}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    const firstKey = 'the-key-this-database-started-with';
    const wrongKey = 'a-different-key-typed-by-mistake';
    try {
      const first = startApi({ DATABASE_URL: url, CRM_ENCRYPTION_KEY: firstKey, PORT: String(await freePort()) });
      await waitUntilHealthy(first);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const port = await freePort();
      const api = startApi({ DATABASE_URL: url, CRM_ENCRYPTION_KEY: wrongKey, PORT: String(port) });
      expect(await api.exited).toBe(1);
      expect(api.output()).toMatch(
        /Wrong encryption key: CRM_ENCRYPTION_KEY \(version 1, CRM_ENCRYPTION_KEY_VERSION\) is not the key that version 1 was first used with/,
      );
      expect(api.output()).not.toContain(wrongKey);
      expect(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)).toBeNull();
    } finally {
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });

  it('refuses to start in production without CRM_ENCRYPTION_KEY, saying which variable is missing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-unused-'));
    try {
      const api = startApi({ NODE_ENV: 'production', CRM_ENCRYPTION_KEY: '', CRM_DATA_DIR: dataDir, PORT: '0' });
      expect(await api.exited).toBe(1);
      expect(api.output()).toMatch(/CRM_ENCRYPTION_KEY: is required when NODE_ENV=production/);
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
