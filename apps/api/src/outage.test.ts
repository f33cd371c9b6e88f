/**
 * While PostgreSQL is away, every procedure answers 503 "the database is unavailable" (no address,
 * no driver message), the process stays up, and it serves again once the database is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, startEmbeddedPostgres } from '@mini-crm/database';
import { freePort } from '@mini-crm/database/testing';
import { describe, expect, it } from 'vitest';
import { createDatabasePool } from './db.ts';
import { buildServer } from './server.ts';

describe('a database outage', () => {
  it('answers 503 with a clear message, then serves again when the database is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-outage-'));
    const options = { dataDir, port: await freePort() };
    let server = await startEmbeddedPostgres(options);
    await migrate(server.url);
    const pool = await createDatabasePool(server.url);
    const app = await buildServer({ pool, encryptionKey: 'outage-test-key' });
    const call = (url: string, cookie = 'mini_crm_session=abcdefghijklmnopqrstuvwxyz234567') =>
      app.inject({ method: 'GET', url, headers: { cookie } });
    try {
      expect((await call('/trpc/auth.me')).statusCode).toBe(200);

      await server.stop();
      for (const url of ['/trpc/auth.me', '/trpc/clients.list?input=%7B%7D']) {
        const down = await call(url);
        expect(down.statusCode, url).toBe(503);
        expect(down.json().error.message, url).toBe('the database is unavailable; try again shortly');
        expect(down.body).not.toContain(String(options.port));
        expect(down.body).not.toMatch(/ECONNREFUSED|stack/i);
      }
      const login = await app.inject({
        method: 'POST',
        url: '/trpc/auth.login',
        headers: { host: 'crm.test', origin: 'http://crm.test', 'content-type': 'application/json' },
        payload: { email: 'someone@example.com', password: 'whatever it is' },
      });
      expect(login.statusCode).toBe(503);

      server = await startEmbeddedPostgres(options);
      expect((await call('/trpc/auth.me')).statusCode).toBe(200);
    } finally {
      await app.close();
      await pool.end();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
