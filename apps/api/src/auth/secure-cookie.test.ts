import { describe, expect, it } from 'vitest';
import { testPassword, useTestApi } from '../../test/api.ts';
import { createDatabasePool } from '../db.ts';
import { buildServer } from '../server.ts';

const api = useTestApi();

describe('the session cookie behind an https proxy', () => {
  it('is Secure when TRUST_PROXY is set and the proxy says https, and not when the proxy is not trusted', async () => {
    const pool = await createDatabasePool(api.databaseUrl);
    try {
      for (const trustProxy of [true, false]) {
        const app = await buildServer({ pool, encryptionKey: 'k', trustProxy });
        const response = await app.inject({
          method: 'POST',
          url: '/trpc/auth.login',
          headers: {
            host: 'crm.example.com',
            origin: 'https://crm.example.com',
            'x-forwarded-proto': 'https',
            'content-type': 'application/json',
          },
          payload: { email: api.accounts.user.email, password: testPassword },
        });
        await app.close();
        expect(response.statusCode).toBe(200);
        const cookie = String(response.headers['set-cookie']);
        if (trustProxy) expect(cookie).toMatch(/; Secure/i);
        else expect(cookie).not.toMatch(/; Secure/i);
      }
    } finally {
      await pool.end();
    }
  });

  it('signs in even when a trusted proxy passes on an address that is not one (recorded as unknown)', async () => {
    const pool = await createDatabasePool(api.databaseUrl);
    const app = await buildServer({ pool, encryptionKey: 'k', trustProxy: true });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/trpc/auth.login',
        headers: {
          host: 'crm.test',
          origin: 'http://crm.test',
          'x-forwarded-for': 'not-an-ip',
          'content-type': 'application/json',
        },
        payload: { email: api.accounts.user.email, password: testPassword },
      });
      expect(response.statusCode).toBe(200);
      const { rows } = await api.db.query('SELECT ip_address FROM user_sessions ORDER BY created_at DESC LIMIT 1');
      expect(rows[0]?.ip_address).toBeNull();
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it('records the client address from X-Forwarded-For only when the proxy is trusted', async () => {
    const pool = await createDatabasePool(api.databaseUrl);
    try {
      for (const [trustProxy, expected] of [
        [true, '203.0.113.9'],
        [false, '127.0.0.1'],
      ] as const) {
        const app = await buildServer({ pool, encryptionKey: 'k', trustProxy });
        await app.inject({
          method: 'POST',
          url: '/trpc/auth.login',
          remoteAddress: '127.0.0.1',
          headers: {
            host: 'crm.test',
            origin: 'http://crm.test',
            'x-forwarded-for': '203.0.113.9',
            'content-type': 'application/json',
          },
          payload: { email: api.accounts.manager.email, password: testPassword },
        });
        await app.close();
        const { rows } = await api.db.query<{ ip: string }>(
          'SELECT host(ip_address) AS ip FROM user_sessions ORDER BY created_at DESC LIMIT 1',
        );
        expect(rows[0]?.ip).toBe(expected);
      }
    } finally {
      await pool.end();
    }
  });
});
