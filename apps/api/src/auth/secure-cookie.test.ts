/**
 * Behind a reverse proxy: what TRUST_PROXY lets the proxy's headers decide (https, the client's address).
 */
import { describe, expect, it } from 'vitest';
import { type AccountName, testPassword, useTestApi } from '../../test/api.ts';
import { createDatabasePool } from '../db.ts';
import type { TrustProxy } from '../env.ts';
import { buildServer } from '../server.ts';

const api = useTestApi();

/** Signs `account` in through a server of its own, as a proxy would forward the request. */
async function loginBehindProxy(trustProxy: TrustProxy, proxyHeaders: Record<string, string>, account: AccountName) {
  const pool = await createDatabasePool(api.databaseUrl);
  const app = await buildServer({ pool, encryptionKey: 'proxy-test-key', trustProxy });
  try {
    return await app.inject({
      method: 'POST',
      url: '/trpc/auth.login',
      remoteAddress: '127.0.0.1',
      headers: {
        host: 'crm.example.com',
        origin: 'https://crm.example.com',
        'content-type': 'application/json',
        ...proxyHeaders,
      },
      payload: { email: api.accounts[account].email, password: testPassword },
    });
  } finally {
    await app.close();
    await pool.end();
  }
}

const newestSessionAddress = async () =>
  (
    await api.db.query<{ ip: string | null }>(
      'SELECT host(ip_address) AS ip FROM user_sessions ORDER BY created_at DESC LIMIT 1',
    )
  ).rows[0]?.ip;

describe('behind a reverse proxy', () => {
  it('makes the cookie Secure when the trusted proxy says https, and not when the proxy is not trusted', async () => {
    const trusted = await loginBehindProxy(true, { 'x-forwarded-proto': 'https' }, 'user');
    expect(trusted.statusCode).toBe(200);
    expect(String(trusted.headers['set-cookie'])).toMatch(/; Secure/i);

    const untrusted = await loginBehindProxy(false, { 'x-forwarded-proto': 'https' }, 'user');
    expect(untrusted.statusCode).toBe(200);
    expect(String(untrusted.headers['set-cookie'])).not.toMatch(/; Secure/i);
  });

  it('records the client address from X-Forwarded-For only when the proxy is trusted', async () => {
    await loginBehindProxy(true, { 'x-forwarded-for': '203.0.113.9' }, 'manager');
    expect(await newestSessionAddress()).toBe('203.0.113.9');
    await loginBehindProxy(false, { 'x-forwarded-for': '203.0.113.9' }, 'manager');
    expect(await newestSessionAddress()).toBe('127.0.0.1');
  });

  it('signs in even when a trusted proxy passes on an address that is not one (recorded as unknown)', async () => {
    const response = await loginBehindProxy(true, { 'x-forwarded-for': 'not-an-ip' }, 'user');
    expect(response.statusCode).toBe(200);
    expect(await newestSessionAddress()).toBeNull();
  });
});
