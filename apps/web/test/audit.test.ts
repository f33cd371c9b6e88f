/**
 * The audit page in Chromium against the real API: entries in the reader's time zone with the
 * browser shortened (the full agent in a title), filters kept in the URL, keyset "Load more", the
 * unusual-access, stale and per-credential panels, and a user seeing only their own clients' entries.
 * Entries are written in SQL with the times and addresses a test needs (the log is append-only, so
 * each test adds its own credentials and filters by them).
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openFromNav, phone, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

const chromeOnLinux =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

type Entry = { action: string; by: 'user' | 'otherUser' | 'manager'; at: string; ip?: string; userAgent?: string };

/** Audit rows as the vault would have written them, at given times (`at`: a timestamptz expression). */
async function addEntries(credentialId: string, entries: Entry[]) {
  for (const entry of entries) {
    await web.api.db.query(
      `INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address, user_agent, created_at)
       SELECT id, $2, $3, $4, $5, ${entry.at} FROM credentials WHERE uuid = $1`,
      [credentialId, web.api.accounts[entry.by].internalId, entry.action, entry.ip ?? null, entry.userAgent ?? null],
    );
  }
}

/** A credential no one has touched: inserted without the trigger's 'create' row. */
async function untouchedCredential(clientId: string, label: string) {
  const connection = await web.api.db.connect();
  try {
    await connection.query('BEGIN');
    await connection.query('SET LOCAL session_replication_role = replica');
    await connection.query(
      `INSERT INTO credentials (client_id, label, encrypted_value, key_version)
       SELECT id, $2, NULL, 1 FROM clients WHERE uuid = $1`,
      [clientId, label],
    );
    await connection.query('COMMIT');
  } finally {
    connection.release();
  }
}

let alpha: { id: string; label: string };
let beta: { id: string; label: string };

beforeAll(async () => {
  // The manager reads times in Tokyo (UTC+9).
  await web.api.db.query(`UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = $1`, [
    web.api.accounts.manager.internalId,
  ]);
  const mine = await make.client('user', { name: 'Alpha Bakery' });
  const theirs = await make.client('otherUser', { name: 'Beta Garage' });
  alpha = await make.credential(mine.id, { label: 'Alpha VPN' });
  beta = await make.credential(theirs.id, { label: 'Beta DNS' });
  await addEntries(alpha.id, [
    { action: 'decrypt', by: 'user', at: `'2026-01-15T12:00:00Z'`, ip: '198.51.100.4', userAgent: chromeOnLinux },
  ]);
  // Eleven views from five addresses within the hour: unusual.
  await addEntries(
    beta.id,
    Array.from({ length: 11 }, (_, i) => ({
      action: 'view',
      by: 'otherUser' as const,
      at: `now() - interval '${i + 1} minutes'`,
      ip: `203.0.113.${i % 5}`,
    })),
  );
  await untouchedCredential(mine.id, 'Gamma FTP');
});

const logTable = (page: Page) => page.getByRole('table', { name: 'Audit log, newest first' });

describe('the audit page', () => {
  it('shows an entry in the reader’s time zone, the browser in a few words and the full agent in its title', async () => {
    const page = await web.signIn('manager');
    await page.goto(`/audit?credential=${alpha.id}&action=decrypt`);
    const row = logTable(page).getByRole('row').filter({ hasText: 'Revealed' });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toEqual([
      '15 Jan 2026, 21:00',
      'Revealed',
      'Alpha VPN ',
      'Alpha Bakery',
      'Test user',
      '198.51.100.4',
      'Chrome 140 on Linux',
    ]);
    expect(await row.getByRole('cell').last().getAttribute('title')).toBe(chromeOnLinux);
    await page.context().close();
  });

  it('keeps the filters in the URL; a day range and a wrong range are handled in the user’s words', async () => {
    const page = await web.signIn('manager');
    await openFromNav(page, 'Audit');
    await logTable(page).waitFor();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Revealed' });
    await page.getByLabel('Credential', { exact: true }).selectOption({ label: 'Alpha VPN — Alpha Bakery' });
    await page.waitForURL((url) => url.searchParams.get('action') === 'decrypt');
    expect(new URL(page.url()).searchParams.get('credential')).toBe(alpha.id);
    await page.getByText('Showing 1 of 1 entries').waitFor();

    // A shared link opens the same view.
    await page.reload();
    await page.getByText('Showing 1 of 1 entries').waitFor();
    expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('decrypt');

    // 15 Jan 21:00 in Tokyo is on the 15th there, though 12:00 UTC.
    await page.getByLabel('From').fill('2026-01-15');
    await page.getByLabel('To').fill('2026-01-15');
    await page.getByText('Showing 1 of 1 entries').waitFor();
    await page.getByLabel('From').fill('2026-01-16');
    await page.getByLabel('To').fill('2026-01-20');
    await page.getByText('No entries match these filters.').waitFor();
    expect(new URL(page.url()).searchParams.get('from')).toBe('2026-01-16');

    await page.getByLabel('To').fill('2026-01-10');
    await page.getByText('must not be before from').waitFor();
    expect(await page.getByLabel('To').getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.search === '');
    await page.getByText(/Showing \d+ of \d+ entries/).waitFor();
    await page.context().close();
  });

  it('loads a long history 25 entries at a time', async () => {
    const client = await make.client('user');
    const delta = await make.credential(client.id, { label: 'Delta SSH' });
    await addEntries(
      delta.id,
      Array.from({ length: 30 }, (_, i) => ({
        action: 'view',
        by: 'user' as const,
        at: `now() - interval '2 days' - interval '${i} minutes'`,
      })),
    );
    const page = await web.signIn('manager');
    await page.goto(`/audit?credential=${delta.id}`);
    await page.getByText('Showing 25 of 31 entries').waitFor();
    expect(await logTable(page).getByRole('row').count()).toBe(26);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing 31 of 31 entries').waitFor();
    expect(await logTable(page).getByRole('row').count()).toBe(32);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await page.context().close();
  });

  it('flags unusual access and stale credentials, and sums up each credential', async () => {
    const page = await web.signIn('manager');
    await page.goto('/audit');
    const unusual = page.getByRole('region', { name: 'Unusual access' });
    await unusual.getByRole('link', { name: /^Beta DNS/ }).waitFor();
    const betaCells = unusual.getByRole('row').filter({ hasText: 'Beta DNS' }).getByRole('cell');
    // Credential, client, events, users, IPs: eleven views from five addresses.
    expect((await betaCells.allTextContents())[4]).toBe('5');
    expect(await unusual.textContent()).not.toContain('Alpha VPN');

    const stale = page.getByRole('region', { name: 'Stale credentials' });
    const gamma = stale.getByRole('listitem').filter({ hasText: 'Gamma FTP' });
    expect(await gamma.textContent()).toContain('last access never');

    const summary = page.getByRole('table', { name: 'Access per credential' });
    const alphaRow = summary.getByRole('row').filter({ hasText: 'Alpha VPN' });
    // Events, views, reveals, users, IPs: the fixture's create row and the one reveal.
    expect((await alphaRow.getByRole('cell').allTextContents()).slice(2, 7)).toEqual(['2', '0', '1', '1', '1']);

    // A credential's name filters the log to it.
    await alphaRow.getByRole('link', { name: /^Alpha VPN/ }).click();
    await page.waitForURL((url) => url.searchParams.get('credential') === alpha.id);
    await page.getByText('Showing 2 of 2 entries').waitFor();
    await page.context().close();
  });

  it('a user sees the entries of their own clients’ credentials only', async () => {
    const page = await web.signIn('user');
    await page.goto('/audit');
    await logTable(page).getByText('Alpha VPN').first().waitFor();
    await page.getByRole('table', { name: 'Access per credential' }).waitFor();
    expect(await page.getByRole('main').textContent()).not.toContain('Beta');
    await page.context().close();
  });

  it('has no serious accessibility problems, on a desktop or a phone', async () => {
    const page = await web.signIn('manager');
    await page.goto('/audit');
    await logTable(page).waitFor();
    await page.getByRole('table', { name: 'Access per credential' }).waitFor();
    await expectAccessible(page, 'audit');
    await page.context().close();

    const small = await web.signIn('manager', phone);
    await small.goto('/audit');
    await logTable(small).waitFor();
    await expectAccessible(small, 'audit-phone');
    await small.context().close();
  });
});
