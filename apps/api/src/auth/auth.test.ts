import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../test/api.ts';

const api = useTestApi();

describe('auth.login', () => {
  it('signs in and auth.me names the user', async () => {
    const client = await api.signIn('manager');
    const me = await client.auth.me.query();
    expect(me).toEqual({
      id: api.accounts.manager.id,
      email: api.accounts.manager.email,
      name: 'Test manager',
      role: 'manager',
      timezone: 'UTC',
    });
  });

  it('refuses a wrong password', async () => {
    const client = api.anonymous();
    await expect(
      client.auth.login.mutate({ email: api.accounts.user.email, password: 'wrong password!' }),
    ).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });
});
