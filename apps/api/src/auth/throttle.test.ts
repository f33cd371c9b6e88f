/**
 * The sign-in throttle: 10 failures for one account or 50 from one address within 15 minutes, then
 * "too many attempts" until the window passes. A file of its own: every request here comes from
 * 127.0.0.1, so the address limit would spill into other tests.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { testPassword, useTestApi } from '../../test/api.ts';
import { loginThrottle } from './router.ts';

const api = useTestApi();

const attempt = (email: string, password: string) => api.anonymous().auth.login.mutate({ email, password });

const failTimes = async (count: number, email: (i: number) => string) => {
  for (let i = 0; i < count; i++) {
    await expect(attempt(email(i), 'wrong password!')).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  }
};

beforeEach(() => api.db.query('DELETE FROM login_failures'));

describe('sign-in throttle', () => {
  it('locks an account after 10 failures, even for the right password, with a clear message', async () => {
    const email = api.accounts.user.email;
    await failTimes(loginThrottle.perAccount, () => email);
    await expect(attempt(email, testPassword)).rejects.toMatchObject({
      message: 'too many attempts, try again later',
      data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
    });
    // Other accounts from the same address still sign in.
    await attempt(api.accounts.manager.email, testPassword);
  });

  it('counts the account whatever the letter case of the e-mail', async () => {
    const email = api.accounts.user.email;
    await failTimes(loginThrottle.perAccount, (i) => (i % 2 ? email.toUpperCase() : email));
    await expect(attempt(email, testPassword)).rejects.toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
  });

  it('lets the account in again once the failures are older than 15 minutes', async () => {
    const email = api.accounts.user.email;
    await failTimes(loginThrottle.perAccount, () => email);
    await api.db.query(`UPDATE login_failures SET created_at = created_at - interval '16 minutes'`);
    await expect(attempt(email, testPassword)).resolves.toMatchObject({ id: api.accounts.user.id });
  });

  it('allows 9 failures and then a successful sign-in, which clears the count', async () => {
    const email = api.accounts.user.email;
    await failTimes(loginThrottle.perAccount - 1, () => email);
    await attempt(email, testPassword);
    const { rows } = await api.db.query('SELECT count(*)::int AS n FROM login_failures WHERE email = $1', [email]);
    expect(rows[0]?.n).toBe(0);
  });

  it('holds against parallel and batched attempts: at most 10 reach the password check', async () => {
    const email = api.accounts.user.email;
    const client = api.anonymous(); // one client: its parallel calls go out as batched requests
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () =>
        client.auth.login.mutate({ email, password: 'wrong password!' }).then(
          () => 'ok',
          (error: { data?: { code?: string } }) => error.data?.code,
        ),
      ),
    );
    const counted: Record<string, number> = {};
    for (const code of outcomes) counted[String(code)] = (counted[String(code)] ?? 0) + 1;
    expect(counted).toEqual({ UNAUTHORIZED: loginThrottle.perAccount, TOO_MANY_REQUESTS: 20 });
    const { rows } = await api.db.query('SELECT count(*)::int AS n FROM login_failures WHERE email = $1', [email]);
    expect(rows[0]?.n).toBe(loginThrottle.perAccount);
  });

  it('blocks an address after 50 failures across many e-mails', async () => {
    await failTimes(loginThrottle.perIp, (i) => `guess${i}@test.example.com`);
    await expect(attempt(api.accounts.admin.email, testPassword)).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    const { rows } = await api.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM login_failures WHERE ip_address = '127.0.0.1'`,
    );
    expect(rows[0]?.n).toBe(loginThrottle.perIp);
  });
});
