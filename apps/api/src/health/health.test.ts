import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@mini-crm/database';
import { freePort, useTestDatabase } from '@mini-crm/database/testing';
import { HealthStatus } from '@mini-crm/models';
import { describe, expect, it } from 'vitest';
import { createDatabasePool } from '../db.ts';
import { buildServer } from '../server.ts';

const db = useTestDatabase();

describe('GET /healthz', () => {
  it('reports the database as reachable, with its version', async () => {
    const pool = await createDatabasePool(db.url);
    const app = await buildServer({ pool, encryptionKey: 'test-key' });
    try {
      const response = await app.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = HealthStatus.parse(response.json());
      expect(body.status).toBe('ok');
      expect(body.database).toMatchObject({ isReachable: true, version: db.serverVersion, error: null });
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it('answers 503 "degraded" while the database is down, and 200 again once it is back', async () => {
    // A server of this test's own, stopped and started again under a live pool.
    const dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-health-'));
    const options = { dataDir, port: await freePort() };
    let server = await startEmbeddedPostgres(options);
    const pool = await createDatabasePool(server.url);
    const app = await buildServer({ pool, encryptionKey: 'test-key' });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      await server.stop();
      const down = await app.inject({ method: 'GET', url: '/healthz' });
      expect(down.statusCode).toBe(503);
      expect(HealthStatus.parse(down.json())).toEqual({
        status: 'degraded',
        database: { isReachable: false, version: null, latencyMs: null, error: 'database unreachable' },
      });
      expect(down.body).not.toContain(String(options.port));

      server = await startEmbeddedPostgres(options);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await pool.end();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
