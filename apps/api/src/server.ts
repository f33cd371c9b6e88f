/**
 * buildServer: the HTTP surface. /healthz, and the built SPA (apps/web/dist) with a history
 * fallback when it has been built. The tRPC API mounts at /trpc.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyLoggerOptions } from 'fastify';
import type { DatabasePool } from 'slonik';
import type { TrustProxy } from './env.ts';
import { registerHealthRoute } from './health/route.ts';

export const webDistDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type ServerDeps = {
  pool: DatabasePool;
  logger?: boolean | FastifyLoggerOptions;
  trustProxy?: TrustProxy;
  /** The built SPA to serve at /; skipped when the folder does not exist (development uses Vite). */
  webDir?: string;
};

export async function buildServer(deps: ServerDeps) {
  const app = Fastify({ logger: deps.logger ?? false, trustProxy: deps.trustProxy ?? false });
  registerHealthRoute(app, deps.pool);

  const webDir = deps.webDir ?? webDistDir;
  if (existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false });
    // Client-side routes (/clients/42) load the SPA; unknown API paths stay 404.
    app.setNotFoundHandler((request, reply) => {
      const isPage =
        request.method === 'GET' && !request.url.startsWith('/trpc') && !request.url.startsWith('/healthz');
      return isPage ? reply.sendFile('index.html') : reply.code(404).send({ error: 'Not Found' });
    });
  }
  return app;
}
