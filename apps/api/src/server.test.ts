import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestDatabase } from '@mini-crm/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabasePool } from './db.ts';
import { buildServer } from './server.ts';

const db = useTestDatabase();

describe('serving the built SPA', () => {
  let app: Awaited<ReturnType<typeof buildServer>>;
  let pool: Awaited<ReturnType<typeof createDatabasePool>>;
  let webDir: string;
  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'mini-crm-web-'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Mini CRM</title><div id="root"></div>');
    await writeFile(join(webDir, 'app.js'), 'console.log("app")');
    pool = await createDatabasePool(db.url);
    app = await buildServer({ pool, webDir, encryptionKey: 'test-key' });
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
    await rm(webDir, { recursive: true, force: true });
  });

  it('serves index.html at / and for deep links, so a shared URL opens the app', async () => {
    for (const url of ['/', '/clients/7c9e6679-7425-40de-944b-e07fc1f90ae7', '/tasks?urgency=overdue']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('<title>Mini CRM</title>');
    }
  });

  it('serves the built assets themselves', async () => {
    const response = await app.inject({ method: 'GET', url: '/app.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('console.log("app")');
  });

  it('keeps unknown API paths and non-GET requests a 404, not the SPA', async () => {
    expect((await app.inject({ method: 'GET', url: '/trpc/nothing.here' })).statusCode).toBe(404);
    const sameSite = { host: 'crm.test', origin: 'http://crm.test' };
    expect((await app.inject({ method: 'POST', url: '/clients', headers: sameSite })).statusCode).toBe(404);
  });
});
