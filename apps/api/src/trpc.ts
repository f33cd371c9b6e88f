/**
 * tRPC setup: the request context, and the procedure tiers every router builds on.
 * - publicProcedure: anyone (sign-in).
 * - authedProcedure: a valid session; the handler's `ctx.db` is a transaction (a mutation), or for a
 *   query a pooled connection, whose first statement read that session and set the caller's id, IP,
 *   user agent and time zone (runAsSession); a transaction commits only on success.
 * - roleProcedure(...roles): authedProcedure limited to those roles: the one place roles are checked.
 * Errors of every tier pass through toTRPCError (errors.ts).
 */
import { isIP } from 'node:net';
import type { UserRole } from '@mini-crm/models';
import { initTRPC, TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { DatabasePool } from 'slonik';
import type { SessionUser } from './auth/queries.ts';
import type { SessionCache } from './auth/session-cache.ts';
import { Refused, runAsSession, type Session, setSessionCookie, wellFormedToken } from './auth/sessions.ts';
import { sessionCookieName } from './client.ts';
import type { RequestDb } from './db.ts';
import { fieldErrorsOf, internalErrorPrefix, isRequestsFault, loggableError, toTRPCError } from './errors.ts';
import { asEncryptionKeys, type EncryptionKeys } from './keys/keyring.ts';

export type ApiDeps = {
  pool: DatabasePool;
  /** The pgcrypto keys by version (a bare key: version 1); they reach PostgreSQL only as bind parameters. */
  encryptionKey: string | EncryptionKeys;
  /** Development only: auth.demoAccounts lists the sample data's accounts for the sign-in page. */
  showDemoAccounts?: boolean;
  /** The sessions this process knows live (auth/session-cache.ts); what changes a user forgets them. */
  sessions: SessionCache;
};

export async function createContext(deps: ApiDeps, { req, res }: CreateFastifyContextOptions) {
  // Only the token's shape is checked here; the session itself is read by the request's transaction.
  const sessionToken = wellFormedToken(req.cookies[sessionCookieName]);
  const userAgent = req.headers['user-agent'] ?? null;
  // With TRUST_PROXY the address comes from X-Forwarded-For, which a client can fill with anything.
  const ip = req.ip && isIP(req.ip) ? req.ip : null;
  const encryptionKeys = asEncryptionKeys(deps.encryptionKey);
  return { ...deps, encryptionKeys, req, res, log: req.log, ip, userAgent, sessionToken };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

/** What a procedure declares about itself; see authedProcedure. */
export type ProcedureMeta = { writes?: boolean };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    isDev: false, // no stack traces in responses
    errorFormatter: ({ shape, error }) => ({
      ...shape,
      // A 500 that did not pass through toTRPCError (none should) still tells nothing about the server.
      message:
        error.code === 'INTERNAL_SERVER_ERROR' && !error.message.startsWith(internalErrorPrefix)
          ? internalErrorPrefix
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fieldErrors: fieldErrorsOf(error.cause),
      },
    }),
  });

export const router = t.router;

const logInternalError = (ctx: Context, path: string) => (errorId: string, error: Error) =>
  ctx.log.error({ errorId, path, err: loggableError(error) }, 'procedure failed');

/** Maps every failure of the procedures below it (see errors.ts); logs the unexpected ones. */
const mapErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok) {
    throw toTRPCError(result.error, logInternalError(ctx, path));
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** The caller's scope for inRequestTransaction, when the caller is known without a session (sign-in). */
export const scopeOf = (ctx: Context, user: SessionUser | null) => ({
  userId: user?.id ?? null,
  ip: ctx.ip,
  userAgent: ctx.userAgent,
  timeZone: user?.timezone ?? 'UTC',
});

/**
 * Runs `work` as the session the cookie names (null: signed out; see runAsSession), in a
 * transaction unless `isReadOnly`, and resends the cookie once a renewal has been written.
 */
export async function runAsCaller<T>(
  ctx: Context & { sessionToken: string },
  isReadOnly: boolean,
  work: (db: RequestDb, session: Session | null) => Promise<T>,
): Promise<T> {
  const origin = { token: ctx.sessionToken, ip: ctx.ip, userAgent: ctx.userAgent, isReadOnly };
  const { result, renewedUntil } = await runAsSession(ctx.pool, ctx.sessions, origin, work);
  if (renewedUntil) setSessionCookie(ctx.req, ctx.res, ctx.sessionToken, renewedUntil);
  return result;
}

const signInFirst = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });

/**
 * A query runs its statements one by one on a pooled connection, without a transaction: under READ
 * COMMITTED each statement sees its own snapshot either way, and BEGIN and COMMIT would be two of
 * the three or four round trips of a read. A mutation, or a query whose meta says it `writes`
 * (credentials.get records a view), runs in a transaction committed only on success.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, type, meta, next }) => {
  const { sessionToken } = ctx;
  if (!sessionToken) throw signInFirst();
  const isReadOnly = type === 'query' && meta?.writes !== true;
  const run = (db: RequestDb, session: Session) => next({ ctx: { session, user: session.user, db } });
  let outcome: Awaited<ReturnType<typeof run>> | undefined;
  try {
    await runAsCaller({ ...ctx, sessionToken }, isReadOnly, async (db, session) => {
      // Returning, not throwing: the deletion of an expired session commits.
      if (!session) return;
      outcome = await run(db, session);
      // tRPC hands failures back as a result; throwing rolls a transaction back. A failure of the
      // request's own is thrown as Refused, which keeps the pooled connection (runAsSession).
      if (!outcome.ok) throw isRequestsFault(outcome.error) ? new Refused(undefined) : outcome.error;
    });
  } catch (error) {
    if (outcome && !outcome.ok) return outcome;
    throw error;
  }
  if (!outcome) throw signInFirst();
  return outcome;
});

/** authedProcedure for the listed roles only; everyone else gets FORBIDDEN. */
export const roleProcedure = (...roles: [UserRole, ...UserRole[]]) =>
  authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'your role does not allow this' });
    return next();
  });
