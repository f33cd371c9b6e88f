/**
 * `pnpm db <command>` as a developer runs it, on an embedded server in a temporary CRM_DATA_DIR.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../src/embedded.ts';
import { withClient } from '../src/migrate.ts';
import { freePort } from '../src/testing.ts';

const run = promisify(execFile);
const cliPath = new URL('../src/cli.ts', import.meta.url).pathname;

describe('pnpm db', () => {
  let env: NodeJS.ProcessEnv;
  let url: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-cli-'));
    const port = await freePort();
    env = { ...process.env, DATABASE_URL: '', CRM_DATA_DIR: dataDir, CRM_DB_PORT: String(port) };
    url = serverUrl(port, 'mini_crm');
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  const db = (...args: string[]) => run(process.execPath, [cliPath, ...args], { env });
  const count = (table: string) =>
    withClient(url, async (client) => (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

  it('url prints where the embedded database listens', async () => {
    const { stdout } = await db('url');
    expect(stdout.trim()).toBe(url);
  });

  it('migrate creates the schema once, then reports it up to date', async () => {
    expect((await db('migrate')).stdout).toContain('applied migrations: postgresql_mini_crm_001.sql');
    expect((await db('migrate')).stdout).toContain('database schema is up to date');
  });

  it('seed loads the sample data into an empty database, and only into an empty one', async () => {
    expect((await db('seed')).stdout).toContain('loaded the sample data');
    const { stdout } = await db('seed');
    expect(stdout).toContain('the database already has users: sample data not loaded');
  });

  it('shares the server `db start` runs, and reset restores the sample data after local changes', async () => {
    const server = spawn(process.execPath, [cliPath, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => server.on('exit', resolve));
    await new Promise<void>((ready) =>
      server.stdout.on('data', (chunk) => String(chunk).includes('ready:') && ready()),
    );

    const { stdout } = await db('migrate');
    expect(stdout).toContain('using the PostgreSQL already running');
    await withClient(url, (client) => client.query('DELETE FROM clients')); // still up after `migrate` exited
    expect(await count('clients')).toBe(0);

    await db('reset');
    expect(await count('clients')).toBeGreaterThanOrEqual(30);
    expect(await count('tasks')).toBeGreaterThanOrEqual(100);

    server.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(count('clients')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses reset when DATABASE_URL points at a server of your own', async () => {
    const failed = await run(process.execPath, [cliPath, 'reset'], {
      env: { ...env, DATABASE_URL: 'postgres://someone@db.example.invalid/crm' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('works on the embedded server only');
  });

  it('names an unknown command and shows the usage', async () => {
    const failed = await db('frobnicate').catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage: pnpm db/);
  });
});
