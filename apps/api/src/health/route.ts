/**
 * GET /healthz: 200 when the database answers, 503 (status "degraded") when it does not, so a load
 * balancer stops sending traffic to an instance that cannot serve it.
 */
import type { HealthStatus } from '@mini-crm/models';
import type { FastifyInstance } from 'fastify';
import type { DatabasePool } from 'slonik';
import { readDatabaseVersion } from './queries.ts';

export function registerHealthRoute(app: FastifyInstance, pool: DatabasePool) {
  // Probed every few seconds by load balancers and the web app: log it only when it goes wrong.
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => {
    const started = performance.now();
    let body: HealthStatus;
    try {
      const version = await readDatabaseVersion(pool);
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      body = { status: 'ok', database: { isReachable: true, version, latencyMs, error: null } };
    } catch (error) {
      app.log.warn({ err: error }, 'health check: database unreachable');
      body = {
        status: 'degraded',
        database: { isReachable: false, version: null, latencyMs: null, error: 'database unreachable' },
      };
    }
    return reply
      .code(body.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
