/**
 * auth.*: sign-in and the caller's own account. Unknown e-mail and wrong password get the same
 * answer in about the same time; failures are counted per account and per address in PostgreSQL.
 */
import { demoAccounts, demoPassword } from '@mini-crm/database';
import { ChangePasswordInput, LoginInput, UpdateProfileInput } from '@mini-crm/models';
import { TRPCError } from '@trpc/server';
import { inRequestTransaction } from '../db.ts';
import { fieldError } from '../errors.ts';
import { authedProcedure, publicProcedure, router, runAsCaller, scopeOf } from '../trpc.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import {
  clearLoginFailures,
  deleteSession,
  deleteUserSessions,
  findActiveUsersByEmail,
  findLoginUser,
  forgetLoginAttempt,
  readPasswordHash,
  recordLoginAttempt,
  type SessionUser,
  updatePasswordHash,
  updateProfile,
} from './queries.ts';
import { clearSessionCookie, createSession, sessionIdOf, setSessionCookie } from './sessions.ts';

export const loginThrottle = { windowMinutes: 15, perAccount: 10, perIp: 50 };

/** What the API tells about the signed-in user; the internal id stays inside. */
export const toMe = (user: SessionUser) => ({
  id: user.uuid,
  email: user.email,
  name: user.name,
  role: user.role,
  timezone: user.timezone,
});

const tooManyAttempts = () =>
  new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'too many attempts, try again later' });
const badCredentials = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong e-mail or password' });

export const authRouter = router({
  login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
    const { windowMinutes, perAccount, perIp } = loginThrottle;
    const ip = ctx.ip;
    const attempt = await recordLoginAttempt(ctx.pool, input.email, ip, windowMinutes);
    if (attempt.failuresByEmail > perAccount || attempt.failuresByIp > perIp) {
      await forgetLoginAttempt(ctx.pool, attempt.attemptId); // the window runs from the last real failure
      throw tooManyAttempts();
    }

    const user = await findLoginUser(ctx.pool, input.email);
    // Always one bcrypt comparison, so an unknown e-mail costs what a wrong password does.
    const isMatch = await verifyPassword(input.password, user?.password_hash ?? (await decoyPasswordHash()));
    if (!user || !isMatch || !user.is_active) throw badCredentials(); // the recorded attempt stays: a failure

    const { password_hash: _, is_active: __, ...sessionUser } = user;
    const session = await inRequestTransaction(ctx.pool, scopeOf(ctx, sessionUser), async (db) => {
      await clearLoginFailures(db, input.email);
      return createSession(db, user.id, { ip, userAgent: ctx.userAgent });
    });
    setSessionCookie(ctx.req, ctx.res, session.token, session.expiresAt);
    return toMe(sessionUser);
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) {
      const sessionId = sessionIdOf(ctx.sessionToken);
      await deleteSession(ctx.pool, sessionId);
      ctx.sessions.forgetSession(sessionId);
    }
    clearSessionCookie(ctx.req, ctx.res);
    return { isSignedOut: true };
  }),

  /**
   * Development only (NODE_ENV=development): the sample data's accounts that exist and are active,
   * so the sign-in page can offer them. Empty everywhere else.
   */
  demoAccounts: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.showDemoAccounts) return [];
    const rows = await findActiveUsersByEmail(ctx.pool, demoAccounts);
    return rows.map((row) => ({ ...row, password: demoPassword }));
  }),

  /** The signed-in user, or null: the SPA asks this first to decide between sign-in and the app. */
  me: publicProcedure.query(async ({ ctx }) => {
    const { sessionToken } = ctx;
    if (!sessionToken) return null;
    return runAsCaller({ ...ctx, sessionToken }, true, async (_db, session) => (session ? toMe(session.user) : null));
  }),

  /** Ends every session of the account (others may hold the old password) and starts a fresh one here. */
  changePassword: authedProcedure.input(ChangePasswordInput).mutation(async ({ ctx, input }) => {
    const isMatch = await verifyPassword(input.current, await readPasswordHash(ctx.db, ctx.user.id));
    if (!isMatch) throw fieldError('current', 'is not your current password');
    if (input.current === input.next) throw fieldError('next', 'must differ from the current password');
    await updatePasswordHash(ctx.db, ctx.user.id, await hashPassword(input.next));
    await deleteUserSessions(ctx.db, ctx.user.id);
    ctx.sessions.forgetUser(ctx.user.id);
    const session = await createSession(ctx.db, ctx.user.id, { ip: ctx.ip, userAgent: ctx.userAgent });
    setSessionCookie(ctx.req, ctx.res, session.token, session.expiresAt);
    return { isChanged: true };
  }),

  updateProfile: authedProcedure.input(UpdateProfileInput).mutation(async ({ ctx, input }) => {
    const me = toMe(await updateProfile(ctx.db, ctx.user.id, input));
    ctx.sessions.forgetUser(ctx.user.id); // their next read takes the new time zone
    return me;
  }),
});
