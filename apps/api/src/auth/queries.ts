import { UserRole } from '@mini-crm/models';
import { type CommonQueryMethods, type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import { prepared, scopeSettings } from '../db.ts';

/** The signed-in user as every procedure sees it. `id` is internal (users.id); `uuid` goes out. */
export const SessionUserRow = z.object({
  id: z.number().int(),
  uuid: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: UserRole,
  timezone: z.string(),
});
export type SessionUser = z.infer<typeof SessionUserRow>;

const sessionUserColumns = sql.fragment`u.id, u.uuid, u.email, u.name, u.role, u.timezone`;

const ScopeRow = SessionUserRow.extend({ expires_at: z.number() });

/**
 * The request's first statement (see runAsSession): the session, if it is live and its user
 * active, and the request's settings (app.user_id, IP, user agent, TimeZone) from that same row. No
 * row, no settings: the request then runs as nobody. Prepared: two primary-key lookups, whose
 * planning would cost more than running them.
 */
export const scopeBySession = (
  tx: CommonQueryMethods,
  request: { sessionId: string; ip: string | null; userAgent: string | null; isTransaction: boolean },
) =>
  tx.maybeOne(
    prepared(sql.type(ScopeRow)`
      /* request.scope */
      SELECT ${sessionUserColumns}, s.expires_at,
        ${scopeSettings({
          userId: sql.fragment`u.id::text`,
          ip: request.ip,
          userAgent: request.userAgent,
          timeZone: sql.fragment`u.timezone`,
          isTransactionLocal: request.isTransaction,
        })}
      FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ${request.sessionId} AND s.expires_at > now() AND u.is_active
    `),
  );

export const deleteExpiredSession = (db: CommonQueryMethods, sessionId: string) =>
  db.query(sql.unsafe`
    /* auth.deleteExpiredSession */ DELETE FROM user_sessions WHERE id = ${sessionId} AND expires_at <= now()
  `);

export const insertSession = (
  db: CommonQueryMethods,
  session: { id: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null },
) =>
  db.query(sql.unsafe`
    /* auth.insertSession */
    -- Expired sessions are otherwise only removed when presented; drop the user's old ones here.
    WITH expired AS (DELETE FROM user_sessions WHERE user_id = ${session.userId} AND expires_at <= now())
    INSERT INTO user_sessions (id, user_id, expires_at, ip_address, user_agent)
    VALUES (${session.id}, ${session.userId}, ${session.expiresAt.toISOString()}, ${session.ip}, ${session.userAgent})
  `);

export const extendSession = (db: CommonQueryMethods, sessionId: string, expiresAt: Date) =>
  db.query(sql.unsafe`
    /* auth.extendSession */
    UPDATE user_sessions SET expires_at = ${expiresAt.toISOString()} WHERE id = ${sessionId}
  `);

export const deleteSession = (db: CommonQueryMethods, sessionId: string) =>
  db.query(sql.unsafe`/* auth.deleteSession */ DELETE FROM user_sessions WHERE id = ${sessionId}`);

/** Ends every session of a user: on deactivation, password change or role change. */
export const deleteUserSessions = (db: CommonQueryMethods, userId: number) =>
  db.query(sql.unsafe`/* auth.deleteUserSessions */ DELETE FROM user_sessions WHERE user_id = ${userId}`);

const LoginUserRow = SessionUserRow.extend({ password_hash: z.string(), is_active: z.boolean() });

export const findLoginUser = (db: CommonQueryMethods, email: string) =>
  db.maybeOne(sql.type(LoginUserRow)`
    /* auth.findLoginUser */
    SELECT ${sessionUserColumns}, u.password_hash, u.is_active
    FROM users u WHERE lower(u.email) = lower(${email})
  `);

const PasswordHashRow = z.object({ password_hash: z.string() });

export const readPasswordHash = (db: CommonQueryMethods, userId: number) =>
  db.oneFirst(
    sql.type(PasswordHashRow)`/* auth.readPasswordHash */ SELECT password_hash FROM users WHERE id = ${userId}`,
  );

export const updatePasswordHash = (db: CommonQueryMethods, userId: number, passwordHash: string) =>
  db.query(sql.unsafe`
    /* auth.updatePasswordHash */ UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId}
  `);

export const updateProfile = (db: CommonQueryMethods, userId: number, profile: { name: string; timezone: string }) =>
  db.one(sql.type(SessionUserRow)`
    /* auth.updateProfile */
    UPDATE users u SET name = ${profile.name}, timezone = ${profile.timezone}
    WHERE u.id = ${userId}
    RETURNING ${sessionUserColumns}
  `);

const FailureCounts = z.object({ by_email: z.coerce.number(), by_ip: z.coerce.number() });
const AttemptRow = z.object({ id: z.coerce.number() });

/**
 * Records a sign-in attempt as a failure before the password is checked, and counts the window's
 * failures for the e-mail and the address including it. Attempts for one e-mail or one address
 * take turns (transaction-level advisory locks, held for these few statements, not for bcrypt), so
 * of many parallel or batched attempts exactly the first ones up to the limit get through.
 */
export function recordLoginAttempt(pool: DatabasePool, email: string, ip: string | null, windowMinutes: number) {
  return pool.transaction(async (tx) => {
    // Always e-mail first, then address: one order, so two attempts never wait for each other in a circle.
    await tx.query(sql.unsafe`/* auth.lockAttemptsByEmail */ SELECT pg_advisory_xact_lock(1, hashtext(${email}))`);
    await tx.query(sql.unsafe`/* auth.lockAttemptsByIp */ SELECT pg_advisory_xact_lock(2, hashtext(${ip ?? ''}))`);
    const attemptId = await tx.oneFirst(sql.type(AttemptRow)`
      /* auth.recordLoginAttempt */
      WITH pruned AS (
        DELETE FROM login_failures WHERE created_at < now() - make_interval(mins => ${windowMinutes})
      )
      INSERT INTO login_failures (email, ip_address) VALUES (${email}, ${ip}::inet) RETURNING id
    `);
    const counts = await tx.one(sql.type(FailureCounts)`
      /* auth.countLoginFailures */
      SELECT
        (SELECT count(*) FROM login_failures
          WHERE email = ${email} AND created_at > now() - make_interval(mins => ${windowMinutes})) AS by_email,
        (SELECT count(*) FROM login_failures
          WHERE ip_address = ${ip}::inet AND created_at > now() - make_interval(mins => ${windowMinutes})) AS by_ip
    `);
    return { attemptId, failuresByEmail: counts.by_email, failuresByIp: counts.by_ip };
  });
}

/** Takes back an attempt that turned out not to be a failure (refused by the throttle itself). */
export const forgetLoginAttempt = (db: CommonQueryMethods, attemptId: number) =>
  db.query(sql.unsafe`/* auth.forgetLoginAttempt */ DELETE FROM login_failures WHERE id = ${attemptId}`);

/** A successful sign-in clears the account's failures (not the address's: one IP may try many accounts). */
export const clearLoginFailures = (db: CommonQueryMethods, email: string) =>
  db.query(sql.unsafe`/* auth.clearLoginFailures */ DELETE FROM login_failures WHERE email = ${email}`);

const AccountRow = z.object({ email: z.string(), name: z.string(), role: UserRole });

/** Active users with these e-mails, in the order given. */
export const findActiveUsersByEmail = (db: CommonQueryMethods, emails: readonly string[]) =>
  db.any(sql.type(AccountRow)`
    /* auth.demoAccounts */
    SELECT u.email, u.name, u.role
    FROM unnest(${sql.array([...emails], 'text')}) WITH ORDINALITY AS e (email, position)
    JOIN users u ON lower(u.email) = e.email
    WHERE u.is_active
    ORDER BY e.position
  `);
