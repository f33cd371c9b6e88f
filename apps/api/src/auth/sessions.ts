/**
 * Sessions, after Lucia's design (lucia-auth.com): the browser holds a random token, the database
 * only its SHA-256. 30 days of life, renewed to 30 days whenever fewer than 15 remain.
 */

import { createHash } from 'node:crypto';
// Brings in @fastify/cookie's request.cookies / reply.setCookie types wherever this file is compiled.
import type {} from '@fastify/cookie';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { sessionCookieName } from '../client.ts';
import type { RequestDb } from '../db.ts';
import { deleteExpiredSession, extendSession, insertSession, type SessionUser, scopeBySession } from './queries.ts';
import type { SessionCache } from './session-cache.ts';

const day = 24 * 60 * 60 * 1000;
export const sessionLifetimeMs = 30 * day;
export const sessionRenewBelowMs = 15 * day;

/** 20 random bytes (160 bits), base32: what the cookie carries. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/**
 * The session's id: the token's SHA-256, hex, by node:crypto's native hash (1.1 µs a request; the
 * pure-JS one of @oslojs/crypto took 6.5).
 */
export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

export type Session = { id: string; expiresAt: Date; user: SessionUser };

export async function createSession(
  db: CommonQueryMethods,
  userId: number,
  origin: { ip: string | null; userAgent: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateSessionToken();
  const expiresAt = new Date(Date.now() + sessionLifetimeMs);
  await insertSession(db, { id: sessionIdOf(token), userId, expiresAt, ...origin });
  return { token, expiresAt };
}

/** The cookie's token if it has a token's shape (anything else is no session at all). */
export const wellFormedToken = (token: string | undefined) =>
  token !== undefined && /^[a-z2-7]{32}$/.test(token) ? token : null;

/**
 * What `work` throws to end a request that failed on its own account (errors.ts isRequestsFault)
 * with `result`: a transaction is rolled back all the same, and the pooled connection is kept.
 * slonik replaces a connection whose handler throws anything else, and with it the statements the
 * connection prepared and the caller it carries: a 404 would cost a new connection.
 */
export class Refused<T> extends Error {
  readonly result: T;
  constructor(result: T) {
    super('the request was refused');
    this.result = result;
  }
}

/**
 * Runs `work` as the session `token` names: in one transaction, or with `isReadOnly` on one pooled
 * connection without a transaction (a read needs none, and BEGIN and COMMIT are two round trips of
 * a three-statement request). The first statement reads the session and names its user in the
 * settings (see scopeBySession): one statement, not a lookup on a connection of its own and then the
 * scope. A read skips even that one when `sessions` knows the session and the connection already
 * carries its settings (session-cache.ts). `work` gets null when the session is unknown, expired
 * (then deleted) or its user inactive. A session with under 15 days left is renewed to 30;
 * `renewedUntil` tells the caller to resend the cookie.
 */
export async function runAsSession<T>(
  pool: DatabasePool,
  sessions: SessionCache,
  request: { token: string; ip: string | null; userAgent: string | null; isReadOnly: boolean },
  work: (db: RequestDb, session: Session | null) => Promise<T>,
): Promise<{ result: T; renewedUntil: Date | null }> {
  const sessionId = sessionIdOf(request.token);
  const { ip, userAgent, isReadOnly } = request;
  const origin = { ip, userAgent };
  let renewedUntil: Date | null = null;
  const run = async (db: RequestDb) => {
    const known = isReadOnly ? sessions.reuse(db, sessionId, origin) : null;
    if (known && known.expiresAt.getTime() - Date.now() >= sessionRenewBelowMs) {
      return work(db, { id: sessionId, ...known });
    }
    const generation = sessions.generation;
    const row = await scopeBySession(db, { sessionId, ip, userAgent, isTransaction: !isReadOnly });
    if (row === null) {
      sessions.forgetSession(sessionId);
      await deleteExpiredSession(db, sessionId);
      return work(db, null);
    }
    const { expires_at: expiresAtMs, ...user } = row;
    let expiresAt = new Date(expiresAtMs);
    if (isReadOnly) sessions.remember(generation, db, sessionId, { user, expiresAt }, origin);
    if (expiresAtMs - Date.now() < sessionRenewBelowMs) {
      expiresAt = new Date(Date.now() + sessionLifetimeMs);
      await extendSession(db, sessionId, expiresAt);
      renewedUntil = expiresAt;
    }
    return work(db, { id: sessionId, expiresAt, user });
  };
  const result = await pool.connect(async (connection) => {
    try {
      return await (isReadOnly ? run(connection) : connection.transaction(run));
    } catch (error) {
      // slonik rethrows a transaction's error once its ROLLBACK has succeeded (a failed ROLLBACK
      // throws its own error): the connection is clean.
      if (error instanceof Refused) return error.result as T;
      throw error;
    }
  });
  return { result, renewedUntil };
}

/** HttpOnly; SameSite=Lax; Path=/; Secure when the request came over https (TRUST_PROXY honoured). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date) {
  reply.setCookie(sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    expires: expiresAt,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply) {
  reply.setCookie(sessionCookieName, '', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: 0,
  });
}
