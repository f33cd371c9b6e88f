/**
 * The dashboard in Chromium against the real API: what each role sees on it, where its lists lead,
 * and how it looks on a desktop and a phone.
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { expectAccessible, phone, requestsTo, signInOn, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

describe('the dashboard', () => {
  it('shows a manager the recent credential activity and the unusual-access alerts', async () => {
    const client = await make.client('user', { name: `Vault Owner ${Date.now()}` });
    // Eleven entries within 24 hours make a second credential "unusual".
    const busy = await make.credential(client.id, { label: 'Busy shared mailbox' });
    await web.api.db.query(
      `INSERT INTO credential_audit_logs (credential_id, action, ip_address)
       SELECT id, 'view', ('198.51.100.' || g)::inet FROM credentials, generate_series(1, 11) g WHERE uuid = $1`,
      [busy.id],
    );
    // The newest entry: the activity panel shows the latest ten.
    const credential = await make.credential(client.id, {
      label: 'Bank portal login',
      by: { user: 'manager', ip: '203.0.113.77', userAgent: 'dashboard-browser-test' },
    });
    await make.task(client.id, { assignee: 'manager', dueIn: 0, title: 'Manager’s task for today' });

    const page = await web.signIn('manager');
    const activity = page.getByRole('region', { name: 'Recent credential activity' });
    const row = activity.getByRole('row').filter({ hasText: credential.label });
    await expect(row.textContent()).resolves.toMatch(/Test manager.*Created.*Bank portal login.*203\.0\.113\.77/);
    await expect(row.getByRole('link', { name: client.name }).getAttribute('href')).resolves.toBe(
      `/clients/${client.id}`,
    );

    const unusual = page.getByRole('region', { name: 'Unusual access' });
    const alert = unusual.getByRole('row').filter({ hasText: 'Busy shared mailbox' });
    await expect(alert.getByRole('cell').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Busy shared mailbox', client.name, '12', '11']),
    );
    await page.getByRole('region', { name: 'Due today', exact: true }).getByText('Manager’s task for today').waitFor();
    await expectAccessible(page, 'dashboard-manager');
    await page.context().close();
  });

  it('shows a user neither the vault activity nor unusual-access alerts, and never asks for them', async () => {
    const page = await web.newPage();
    const asked = requestsTo(page, 'audit.');
    await signInOn(page, web.api.accounts.user);
    await page.getByRole('heading', { name: 'Clients by status' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Unusual access' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Recent credential activity' }).count()).toBe(0);
    expect(asked).toEqual([]);
    await page.context().close();
  });

  it('counts clients by status, each a link to the filtered client list', async () => {
    const prospectCount = await web.countRows(`clients WHERE status = 'prospect'`);
    const page = await web.signIn('user');
    const byStatus = page.getByRole('region', { name: 'Clients by status' });
    const prospects = byStatus.getByRole('listitem').filter({ hasText: 'Prospect' });
    await expect(prospects.textContent()).resolves.toBe(`Prospect${prospectCount}`);
    await prospects.getByRole('link', { name: 'Prospect' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('?status=prospect');
    expect(new URL(page.url()).pathname).toBe('/clients');
    await page.context().close();
  });

  it('measures "due soon" from the user’s today and links each list to the full task list', async () => {
    const client = await make.client('otherUser');
    await make.task(client.id, { assignee: 'otherUser', dueIn: 2, title: 'Two days from now' });
    const page = await web.signIn('otherUser');
    const dueSoon = page.getByRole('region', { name: 'Due soon', exact: true });
    await expect(
      dueSoon.getByRole('listitem').filter({ hasText: 'Two days from now' }).textContent(),
    ).resolves.toContain('in 2 days');
    await expect(page.getByRole('region', { name: 'Overdue', exact: true }).textContent()).resolves.toContain(
      'Nothing overdue.',
    );
    await dueSoon.getByRole('link', { name: /All my tasks due soon/ }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      urgency: 'due_soon',
      assignee: web.api.accounts.otherUser.id,
    });
    await expect(page.getByLabel('Urgency').inputValue()).resolves.toBe('due_soon');
    await page.getByRole('link', { name: 'Two days from now' }).waitFor();
    await page.context().close();
  });

  it('works at phone width', async () => {
    const client = await make.client('user');
    await make.task(client.id, { assignee: 'user', dueIn: -1, title: 'Phone overdue task' });
    const page = await web.signIn('user', phone);
    await page.getByRole('region', { name: 'Overdue', exact: true }).getByText('Phone overdue task').waitFor();
    await expectAccessible(page, 'dashboard-phone');
    await page.context().close();
  });
});
