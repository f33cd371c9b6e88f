/**
 * buildServer: the HTTP surface. /trpc (the API), /healthz, and the built SPA (apps/web/dist) with a
 * history fallback when it has been built. Every answer carries the security headers
 * (http/security-headers.ts); bodies and time are bounded (http/limits.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyLoggerOptions, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DatabasePool } from 'slonik';
import { SessionCache } from './auth/session-cache.ts';
import { maxBatchSize } from './client.ts';
import type { TrustProxy } from './env.ts';
import { registerHealthRoute } from './health/route.ts';
import { fastifyLimitOptions, type HttpLimits, httpLimits, registerLimits } from './http/limits.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import type { EncryptionKeys } from './keys/keyring.ts';
import { type AppRouter, appRouter } from './router.ts';
import { createContext } from './trpc.ts';

export const webDistDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type ServerDeps = {
  pool: DatabasePool;
  /** The current key alone (version 1), or every configured key version (keys/keyring.ts). */
  encryptionKey: string | EncryptionKeys;
  showDemoAccounts?: boolean;
  /** Sessions known live, so reads can skip their session check; without one, every read checks. */
  sessions?: SessionCache;
  logger?: boolean | FastifyLoggerOptions;
  trustProxy?: TrustProxy;
  /** The built SPA to serve at /; skipped when the folder does not exist (development uses Vite). */
  webDir?: string;
  /** Tests shorten these; the defaults are in http/limits.ts. */
  limits?: Partial<HttpLimits>;
};

/** Never log a cookie or an authorization header; request bodies are not logged at all. */
const redactedHeaders = ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'];

export async function buildServer(deps: ServerDeps) {
  const logger =
    deps.logger && typeof deps.logger === 'object'
      ? { redact: redactedHeaders, ...deps.logger }
      : (deps.logger ?? false);
  const limits = { ...httpLimits, ...deps.limits };
  const sessions = deps.sessions ?? new SessionCache();
  const app = Fastify({
    logger,
    trustProxy: deps.trustProxy ?? false,
    // A batched tRPC GET names every procedure in the path.
    routerOptions: { maxParamLength: 5000 },
    ...fastifyLimitOptions(limits),
  });
  registerSecurityHeaders(app);
  registerLimits(app, limits);
  await app.register(fastifyCookie);
  app.addHook('onRequest', refuseForeignOrigin);
  registerHealthRoute(app, deps.pool);

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      // One HTTP request may carry this many calls; more is a 400, not a burst of bcrypt work.
      maxBatchSize,
      createContext: (options) =>
        createContext(
          {
            pool: deps.pool,
            encryptionKey: deps.encryptionKey,
            showDemoAccounts: deps.showDemoAccounts ?? false,
            sessions,
          },
          options,
        ),
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>);

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

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence (Lucia's guide): a state-changing request must come from a page of this site, so its
 * Origin must be present and name the host it was sent to. Browsers always send Origin on POST.
 * API reads are GETs, and SameSite=Lax sends the cookie along when another site links to one; a read
 * can write an audit row (credentials.get logs 'view'), so a browser's cross-site GET of /trpc is
 * refused too (Sec-Fetch-Site; apps that are not browsers do not send it).
 */
async function refuseForeignOrigin(request: FastifyRequest, reply: FastifyReply) {
  if (safeMethods.has(request.method)) {
    const isCrossSiteRead = request.headers['sec-fetch-site'] === 'cross-site' && request.url.startsWith('/trpc');
    return isCrossSiteRead ? refuse(request, reply, 'cross-site read of the API refused') : undefined;
  }
  const origin = request.headers.origin;
  let originHost: string | null = null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== request.host) {
    return refuse(request, reply, 'cross-site request refused: Origin missing or foreign');
  }
}

function refuse(request: FastifyRequest, reply: FastifyReply, message: string) {
  request.log.warn(
    {
      origin: request.headers.origin ?? null,
      secFetchSite: request.headers['sec-fetch-site'] ?? null,
      host: request.host,
    },
    message,
  );
  return reply.code(403).send({ error: 'Forbidden', message });
}
