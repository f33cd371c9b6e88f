/**
 * How much a request may send and how long it may take, and the JSON a caller gets when it goes over.
 *
 * The largest legitimate call is credentials.create with a 10 000-character secret and 10 000
 * characters of notes (packages/models): about 21 000 characters, at most ~63 KB in UTF-8 (3 bytes per
 * non-ASCII character). 128 KiB holds that with room for a batched second call; anything bigger is
 * refused with 413 before it is read to the end or parsed.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export type HttpLimits = {
  /** Largest request body, in bytes. */
  bodyLimit: number;
  /** The whole request (headers and body) must arrive within this (slow senders hold a socket). */
  requestTimeout: number;
  /**
   * Longest a request may wait for its answer: then 503. Above the pool's statement timeout (30 s,
   * db.ts), which normally ends a slow query first. Fastify's own `handlerTimeout` is not used: in
   * 5.12 it never fires for a request with a body (fastify/fastify#6725).
   */
  handlerTimeout: number;
  /** A socket with no traffic at all for this long is closed. Above handlerTimeout, so that answers first. */
  connectionTimeout: number;
  /** An idle keep-alive connection stays open this long: above the 60 s idle timeout of common proxies. */
  keepAliveTimeout: number;
};

export const httpLimits: HttpLimits = {
  bodyLimit: 128 * 1024,
  requestTimeout: 30_000,
  handlerTimeout: 45_000,
  connectionTimeout: 60_000,
  keepAliveTimeout: 72_000,
};

/** The Fastify server options that carry these limits. */
export const fastifyLimitOptions = (limits: HttpLimits) => ({
  bodyLimit: limits.bodyLimit,
  requestTimeout: limits.requestTimeout,
  connectionTimeout: limits.connectionTimeout,
  keepAliveTimeout: limits.keepAliveTimeout,
});

/**
 * A body over the limit and a request over the handler timeout answer in tRPC's error shape (which
 * also reads as plain JSON), so the typed client reports `error.data.httpStatus` and the message
 * instead of "unable to parse". Every other error goes on to Fastify's default handler.
 */
export function registerLimits(app: FastifyInstance, limits: HttpLimits) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    request.log.warn({ bodyLimit: limits.bodyLimit }, 'request body too large');
    const message = `the request is larger than ${Math.floor(limits.bodyLimit / 1024)} KiB`;
    return reply.code(413).send(trpcError(message, 'PAYLOAD_TOO_LARGE', 413));
  });

  app.addHook('onRequest', async (request, reply) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      request.log.error({ handlerTimeout: limits.handlerTimeout }, 'request timed out');
      // The work goes on and may still finish (a write may still commit): the caller must not assume either way.
      const message = 'the server took too long to answer; check whether the change was made before retrying';
      void reply.code(503).send(trpcError(message, 'SERVICE_UNAVAILABLE', 503));
    }, limits.handlerTimeout);
    // The response's close: answered, or the connection is gone.
    reply.raw.once('close', () => clearTimeout(timer));
  });
}

// JSON-RPC codes tRPC gives these (TRPC_ERROR_CODES_BY_KEY).
const jsonRpcCodes = { PAYLOAD_TOO_LARGE: -32013, SERVICE_UNAVAILABLE: -32603 } as const;

function trpcError(message: string, code: keyof typeof jsonRpcCodes, httpStatus: number) {
  return { error: { message, code: jsonRpcCodes[code], data: { code, httpStatus, path: null, fieldErrors: null } } };
}
