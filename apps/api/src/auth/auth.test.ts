import { afterAll, describe, expect, it } from 'vitest';
import { type TestApi, testPassword, useTestApi } from '../../test/api.ts';
import { createCrmClient } from '../client.ts';
import { createDatabasePool } from '../db.ts';
import { buildServer } from '../server.ts';
import { sessionIdOf } from './sessions.ts';

const api = useTestApi();

/** A raw tRPC mutation over HTTP, to see status codes and headers the typed client hides. */
function post(path: string, body: unknown, headers: Record<string, string> = { origin: api.url }) {
  return fetch(`${api.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const sessionCookieOf = (response: Response) =>
  response.headers.getSetCookie().find((line) => line.startsWith('mini_crm_session=')) ?? '';

/** Every session token this file was given: none may appear in a log line. */
const issuedTokens = new Set<string>();

const tokenOf = (setCookie: string) => {
  const token = setCookie.split(';')[0]?.split('=')[1] ?? '';
  if (token) issuedTokens.add(token);
  return token;
};

afterAll(() => {
  expect(issuedTokens.size).toBeGreaterThan(5);
  const leaked = [...issuedTokens].filter((token) => api.logs.some((line) => line.includes(token)));
  expect(leaked).toEqual([]);
});

async function signInRaw(api: TestApi, name: 'user' | 'manager' = 'user') {
  const response = await post('auth.login', { email: api.accounts[name].email, password: testPassword });
  expect(response.status).toBe(200);
  const setCookie = sessionCookieOf(response);
  return { setCookie, token: tokenOf(setCookie), cookie: `mini_crm_session=${tokenOf(setCookie)}` };
}

const sessionRow = async (token: string) =>
  (await api.db.query<{ expires_at: Date }>('SELECT expires_at FROM user_sessions WHERE id = $1', [sessionIdOf(token)]))
    .rows[0];

describe('auth.login', () => {
  it('signs in, and auth.me names the user', async () => {
    const client = await api.signIn('manager');
    expect(await client.auth.me.query()).toEqual({
      id: api.accounts.manager.id,
      email: api.accounts.manager.email,
      name: 'Test manager',
      role: 'manager',
      timezone: 'UTC',
    });
  });

  it('accepts the e-mail in any letter case', async () => {
    const client = api.anonymous();
    const me = await client.auth.login.mutate({ email: api.accounts.user.email.toUpperCase(), password: testPassword });
    expect(me.id).toBe(api.accounts.user.id);
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie of 30 days holding a random token, and stores only its SHA-256', async () => {
    const { setCookie, token } = await signInRaw(api);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/; Secure/i); // plain http here
    const expires = new Date(/Expires=([^;]+)/i.exec(setCookie)?.[1] ?? '');
    expect(Math.abs(expires.getTime() - Date.now() - 30 * 86_400_000)).toBeLessThan(60_000);
    expect(token).toMatch(/^[a-z2-7]{32}$/); // 20 random bytes in base32

    const stored = await api.db.query<{ id: string }>('SELECT id FROM user_sessions');
    expect(stored.rows.map((row) => row.id)).toContain(sessionIdOf(token));
    expect(stored.rows.map((row) => row.id)).not.toContain(token);
  });

  it('gives an unknown e-mail and a wrong password the same answer', async () => {
    const unknown = await post('auth.login', { email: 'nobody@test.example.com', password: 'whatever-password' });
    const wrong = await post('auth.login', { email: api.accounts.otherUser.email, password: 'whatever-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = (response: unknown) => (response as { error: { message: string } }).error.message;
    expect(message(await unknown.json())).toBe(message(await wrong.json()));
    expect(sessionCookieOf(unknown)).toBe('');
  });

  it('takes about as long for an unknown e-mail as for a wrong password (both run bcrypt)', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await post('auth.login', { email, password: 'not-the-password' });
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(`ghost${i}@test.example.com`));
      wrong.push(await time(api.accounts.admin.email));
    }
    // Without the decoy hash an unknown e-mail answers in ~2 ms against ~50 ms for bcrypt.
    expect(median(unknown)).toBeGreaterThan(median(wrong) / 2);
    await api.db.query('DELETE FROM login_failures');
  });

  it('refuses an inactive user even with the right password', async () => {
    await api.db.query('UPDATE users SET is_active = false WHERE id = $1', [api.accounts.deactivated.internalId]);
    const response = await post('auth.login', { email: api.accounts.deactivated.email, password: testPassword });
    expect(response.status).toBe(401);
    expect(sessionCookieOf(response)).toBe('');
  });

  it('explains a malformed e-mail by field, without touching the database', async () => {
    const client = api.anonymous();
    await expect(client.auth.login.mutate({ email: 'not-an-email', password: 'x' })).rejects.toMatchObject({
      message: 'email: is not a valid e-mail address',
      data: { code: 'BAD_REQUEST', fieldErrors: { email: ['is not a valid e-mail address'] } },
    });
  });
});

describe('CSRF: the Origin check', () => {
  it('refuses a POST with no Origin, or a foreign one, with 403 and no session', async () => {
    const cases: Record<string, string>[] = [{}, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of cases) {
      const response = await post('auth.login', { email: api.accounts.user.email, password: testPassword }, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(sessionCookieOf(response)).toBe('');
    }
  });

  it('refuses a signed-in mutation from a foreign page', async () => {
    const { cookie } = await signInRaw(api);
    const response = await post(
      'auth.updateProfile',
      { name: 'Hijacked', timezone: 'UTC' },
      { origin: 'https://evil.example', cookie },
    );
    expect(response.status).toBe(403);
    const { rows } = await api.db.query('SELECT name FROM users WHERE id = $1', [api.accounts.user.internalId]);
    expect(rows[0]?.name).toBe('Test user');
  });

  it('refuses a read of the API that a browser marks as cross-site (a link from another site)', async () => {
    const { cookie } = await signInRaw(api);
    const credentialRead = `${api.url}/trpc/auth.me`;
    const crossSite = await fetch(credentialRead, { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await fetch(credentialRead, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(200);
  });

  it('lets reads through without an Origin (apps that are not browsers)', async () => {
    const response = await fetch(`${api.url}/trpc/auth.me`);
    expect(response.status).toBe(200);
  });
});

describe('session lifetime', () => {
  it('extends a session with under 15 days left to 30 days and resends the cookie', async () => {
    const { token, cookie } = await signInRaw(api);
    await api.db.query(`UPDATE user_sessions SET expires_at = now() + interval '10 days' WHERE id = $1`, [
      sessionIdOf(token),
    ]);
    const response = await fetch(`${api.url}/trpc/auth.me`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(sessionCookieOf(response)).toContain(token);
    const row = await sessionRow(token);
    expect((row?.expires_at.getTime() ?? 0) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('leaves a session with more than 15 days alone', async () => {
    const { token, cookie } = await signInRaw(api);
    await api.db.query(`UPDATE user_sessions SET expires_at = now() + interval '20 days' WHERE id = $1`, [
      sessionIdOf(token),
    ]);
    const response = await fetch(`${api.url}/trpc/auth.me`, { headers: { cookie } });
    expect(sessionCookieOf(response)).toBe('');
    const row = await sessionRow(token);
    expect((row?.expires_at.getTime() ?? 0) - Date.now()).toBeLessThan(21 * 86_400_000);
  });

  it('treats an expired session as signed out and deletes it', async () => {
    const { token, cookie } = await signInRaw(api);
    await api.db.query(`UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      sessionIdOf(token),
    ]);
    const client = createCrmClient(api.url, { headers: { cookie } });
    expect(await client.auth.me.query()).toBeNull();
    await expect(client.auth.updateProfile.mutate({ name: 'X', timezone: 'UTC' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    expect(await sessionRow(token)).toBeUndefined();
  });

  it('drops the account’s expired sessions at its next sign-in', async () => {
    const { token } = await signInRaw(api, 'manager');
    await api.db.query(`UPDATE user_sessions SET expires_at = now() - interval '1 day' WHERE id = $1`, [
      sessionIdOf(token),
    ]);
    await signInRaw(api, 'manager');
    expect(await sessionRow(token)).toBeUndefined();
  });

  it('ignores a made-up token', async () => {
    const client = createCrmClient(api.url, {
      headers: { cookie: 'mini_crm_session=abcdefghijklmnopqrstuvwxyz234567' },
    });
    expect(await client.auth.me.query()).toBeNull();
  });
});

describe('auth.logout', () => {
  it('ends the session for good and clears the cookie', async () => {
    const { token, cookie } = await signInRaw(api);
    const response = await post('auth.logout', {}, { origin: api.url, cookie });
    expect(response.status).toBe(200);
    expect(sessionCookieOf(response)).toMatch(/^mini_crm_session=;/);
    expect(await sessionRow(token)).toBeUndefined();
    const replay = createCrmClient(api.url, { headers: { cookie } });
    expect(await replay.auth.me.query()).toBeNull();
  });
});

describe('auth.changePassword', () => {
  it('ends every other session, keeps this one signed in, and only the new password works', async () => {
    const elsewhere = await api.signIn('otherUser');
    const here = await api.signIn('otherUser');
    const next = 'a brand new passphrase';
    await here.auth.changePassword.mutate({ current: testPassword, next });

    expect(await elsewhere.auth.me.query()).toBeNull();
    expect((await here.auth.me.query())?.id).toBe(api.accounts.otherUser.id);
    const email = api.accounts.otherUser.email;
    await expect(api.anonymous().auth.login.mutate({ email, password: testPassword })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    await api.anonymous().auth.login.mutate({ email, password: next });
    await here.auth.changePassword.mutate({ current: next, next: testPassword }); // restore for other tests
  });

  it('refuses a wrong current password, a short new one, and the same one, naming the field', async () => {
    const client = await api.signIn('user');
    await expect(
      client.auth.changePassword.mutate({ current: 'not my password', next: 'long enough password' }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { current: ['is not your current password'] } },
    });
    await expect(client.auth.changePassword.mutate({ current: testPassword, next: 'short' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { next: ['must be at least 10 characters'] } },
    });
    await expect(
      client.auth.changePassword.mutate({ current: testPassword, next: testPassword }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect(await client.auth.me.query()).not.toBeNull(); // nothing was ended
  });
});

describe('auth.updateProfile', () => {
  it('changes the name and the time zone, normalising its spelling', async () => {
    const client = await api.signIn('manager');
    const me = await client.auth.updateProfile.mutate({ name: '  Mina Manager ', timezone: 'europe/berlin' });
    expect(me).toMatchObject({ name: 'Mina Manager', timezone: 'Europe/Berlin' });
    expect(await client.auth.me.query()).toMatchObject({ name: 'Mina Manager', timezone: 'Europe/Berlin' });
  });

  it('refuses an unknown time zone and a blank name, and changes nothing', async () => {
    const client = await api.signIn('manager');
    const before = await client.auth.me.query();
    await expect(client.auth.updateProfile.mutate({ name: 'X', timezone: 'Mars/Olympus' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { timezone: [expect.stringContaining('time zone')] } },
    });
    await expect(client.auth.updateProfile.mutate({ name: '   ', timezone: 'UTC' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { name: ['is required'] } },
    });
    expect(await client.auth.me.query()).toEqual(before);
  });

  it('needs a session', async () => {
    await expect(api.anonymous().auth.updateProfile.mutate({ name: 'X', timezone: 'UTC' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });
});

describe('two API instances on one database', () => {
  it('accepts on the second instance a session made on the first', async () => {
    const { cookie } = await signInRaw(api, 'manager');
    const pool = await createDatabasePool(api.databaseUrl);
    const second = await buildServer({ pool, encryptionKey: 'api-test-encryption-key' });
    await second.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = second.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const client = createCrmClient(`http://127.0.0.1:${port}`, { headers: { cookie } });
      expect((await client.auth.me.query())?.id).toBe(api.accounts.manager.id);
      expect((await client.auth.updateProfile.mutate({ name: 'Via Second', timezone: 'UTC' })).name).toBe('Via Second');
    } finally {
      await second.close();
      await pool.end();
    }
  });
});

describe('auth.demoAccounts outside development', () => {
  it('lists nothing, even when the sample accounts exist', async () => {
    await api.db.query(
      `INSERT INTO users (email, name, role, password_hash) VALUES ('admin@example.com', 'Demo', 'admin', 'x')`,
    );
    await expect(api.anonymous().auth.demoAccounts.query()).resolves.toEqual([]);
  });
});
