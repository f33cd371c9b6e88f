/**
 * tRPC setup: the request context, and the procedure tiers every router builds on.
 * - publicProcedure: anyone (sign-in).
 * - authedProcedure: a valid session; the handler's `ctx.db` is a transaction that carries the
 *   caller's id, IP, user agent and time zone (see inRequestTransaction), committed only on success.
 * - roleProcedure(...roles): authedProcedure limited to those roles: the one place roles are checked.
 * Errors of every tier pass through toTRPCError (errors.ts).
 */
import { isIP } from 'node:net';
import type { UserRole } from '@mini-crm/models';
import { initTRPC, TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { DatabasePool } from 'slonik';
import type { SessionUser } from './auth/queries.ts';
import { type Session, setSessionCookie, validateSessionToken } from './auth/sessions.ts';
import { sessionCookieName } from './client.ts';
import { inRequestTransaction, type Transaction } from './db.ts';
import { fieldErrorsOf, internalErrorPrefix, loggableError, toTRPCError } from './errors.ts';
import { asEncryptionKeys, type EncryptionKeys } from './keys/keyring.ts';

export type ApiDeps = {
  pool: DatabasePool;
  /** The pgcrypto keys by version (a bare key: version 1); they reach PostgreSQL only as bind parameters. */
  encryptionKey: string | EncryptionKeys;
  /** Development only: auth.demoAccounts lists the sample data's accounts for the sign-in page. */
  showDemoAccounts?: boolean;
};

export async function createContext(deps: ApiDeps, { req, res }: CreateFastifyContextOptions) {
  const token = req.cookies[sessionCookieName];
  let session: Session | null = null;
  // A failed lookup (the database is away, say) is thrown by the procedure, through toTRPCError.
  let sessionError: unknown = null;
  if (token) {
    try {
      const found = await validateSessionToken(deps.pool, token);
      if (found?.isRenewed) setSessionCookie(req, res, token, found.expiresAt);
      session = found;
    } catch (error) {
      sessionError = error;
    }
  }
  const userAgent = req.headers['user-agent'] ?? null;
  // With TRUST_PROXY the address comes from X-Forwarded-For, which a client can fill with anything.
  const ip = req.ip && isIP(req.ip) ? req.ip : null;
  const encryptionKeys = asEncryptionKeys(deps.encryptionKey);
  return { ...deps, encryptionKeys, req, res, log: req.log, ip, userAgent, session, sessionError };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<Context>().create({
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
  if (ctx.sessionError) throw toTRPCError(ctx.sessionError, logInternalError(ctx, path));
  const result = await next();
  if (!result.ok) {
    throw toTRPCError(result.error, logInternalError(ctx, path));
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** The caller's scope for inRequestTransaction: who, from where, whose "today". */
export const scopeOf = (ctx: Context, user: SessionUser | null) => ({
  userId: user?.id ?? null,
  ip: ctx.ip,
  userAgent: ctx.userAgent,
  timeZone: user?.timezone ?? 'UTC',
});

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = ctx.session;
  if (!session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  const run = (db: Transaction, user: SessionUser) => next({ ctx: { session, user, db } });
  let outcome: Awaited<ReturnType<typeof run>> | undefined;
  try {
    await inRequestTransaction(ctx.pool, scopeOf(ctx, session.user), async (db, caller) => {
      // Deactivated or re-roled since the session was read: the account as it is now decides.
      if (caller.role === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
      outcome = await run(db, { ...session.user, role: caller.role });
      // tRPC hands failures back as a result; throwing rolls the transaction back.
      if (!outcome.ok) throw outcome.error;
    });
  } catch (error) {
    if (outcome && !outcome.ok) return outcome;
    throw error;
  }
  if (!outcome) throw new Error('procedure produced no result');
  return outcome;
});

/** authedProcedure for the listed roles only; everyone else gets FORBIDDEN. */
export const roleProcedure = (...roles: [UserRole, ...UserRole[]]) =>
  authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'your role does not allow this' });
    return next();
  });
