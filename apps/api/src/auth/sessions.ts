/**
 * Sessions, after Lucia's design (lucia-auth.com): the browser holds a random token, the database
 * only its SHA-256. 30 days of life, renewed to 30 days whenever fewer than 15 remain.
 */

// Brings in @fastify/cookie's request.cookies / reply.setCookie types wherever this file is compiled.
import type {} from '@fastify/cookie';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommonQueryMethods } from 'slonik';
import { sessionCookieName } from '../client.ts';
import { deleteSession, extendSession, findSession, insertSession, type SessionUser } from './queries.ts';

const day = 24 * 60 * 60 * 1000;
export const sessionLifetimeMs = 30 * day;
export const sessionRenewBelowMs = 15 * day;

/** 20 random bytes (160 bits), base32: what the cookie carries. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export const sessionIdOf = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

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

/**
 * The session a token names, or null when it is unknown, expired (then deleted) or its user is
 * inactive. Renews the expiry when under 15 days remain; `isRenewed` tells the caller to resend the cookie.
 */
export async function validateSessionToken(
  db: CommonQueryMethods,
  token: string,
): Promise<(Session & { isRenewed: boolean }) | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = sessionIdOf(token);
  const row = await findSession(db, id);
  if (!row) return null;
  const { session_id: _, expires_at: expiresAtMs, ...user } = row;
  if (Date.now() >= expiresAtMs) {
    await deleteSession(db, id);
    return null;
  }
  if (expiresAtMs - Date.now() < sessionRenewBelowMs) {
    const expiresAt = new Date(Date.now() + sessionLifetimeMs);
    await extendSession(db, id, expiresAt);
    return { id, expiresAt, user, isRenewed: true };
  }
  return { id, expiresAt: new Date(expiresAtMs), user, isRenewed: false };
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
