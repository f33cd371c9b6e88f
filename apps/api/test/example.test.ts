/**
 * The README's "from another app" example, run as the separate Node process it is, against a live API.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testPassword, useTestApi } from './api.ts';
import { fixtures } from './fixtures.ts';

const run = promisify(execFile);
const api = useTestApi();
const example = fileURLToPath(new URL('../examples/overdue-tasks.ts', import.meta.url));

describe('examples/overdue-tasks.ts', () => {
  it('signs in and prints the overdue tasks, and only those', async () => {
    const client = (await fixtures(api).client(null)).id;
    await api.db.query(
      `INSERT INTO tasks (client_id, title, due_date, status)
       SELECT id, t.title, CURRENT_DATE + t.days, t.status
       FROM clients, (VALUES ('Renew the contract', -3, 'pending'), ('Send the invoice', -1, 'in_progress'),
                             ('Already done', -5, 'completed'), ('Next week', 7, 'pending')) AS t(title, days, status)
       WHERE uuid = $1`,
      [client],
    );
    const { stdout } = await run(process.execPath, [example], {
      env: { ...process.env, CRM_URL: api.url, CRM_EMAIL: api.accounts.manager.email, CRM_PASSWORD: testPassword },
    });
    expect(stdout).toContain('Test manager (manager): 2 overdue task(s)');
    expect(stdout).toContain('Renew the contract');
    expect(stdout).toContain('Send the invoice');
    expect(stdout).not.toContain('Already done');
    expect(stdout).not.toContain('Next week');
  });
});
