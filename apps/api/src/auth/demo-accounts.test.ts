import { demoAccounts, demoPassword } from '@mini-crm/database';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../../test/api.ts';

// The server as `pnpm dev` runs it (NODE_ENV=development); auth.test.ts covers the default (off).
const api = useTestApi({ showDemoAccounts: true });

describe('auth.demoAccounts in development', () => {
  beforeAll(async () => {
    // The sample data's accounts: the manager's is deactivated here, as an admin could do.
    await api.db.query(
      `INSERT INTO users (email, name, role, is_active, password_hash)
       SELECT e.email, 'Demo ' || e.role, e.role, e.role <> 'manager', 'x'
       FROM unnest($1::text[], $2::text[]) AS e (email, role)`,
      [demoAccounts, ['admin', 'manager', 'user']],
    );
  });

  it('lists the active demo accounts, in role order, with the sample password, to anyone', async () => {
    await expect(api.anonymous().auth.demoAccounts.query()).resolves.toEqual([
      { email: 'admin@example.com', name: 'Demo admin', role: 'admin', password: demoPassword },
      { email: 'user@example.com', name: 'Demo user', role: 'user', password: demoPassword },
    ]);
  });
});
