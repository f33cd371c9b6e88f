/**
 * The credentials tab of a client, in Chromium against the real API: reveal is on record (the
 * decrypt entry with IP and browser appears beside the credential) and hides itself after 30
 * seconds; the generator fills the secret, which the list never shows; bad input saves nothing; a
 * user cannot see another owner's vault; a wrong key is explained in words.
 */
import { fixtures } from '@mini-crm/api/testing/fixtures';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { describedText, expectAccessible, phone, requestsTo, useBrowser } from './browser.ts';

const web = useBrowser();
const make = fixtures(web.api);

const credentialsTab = (clientId: string) => `/clients/${clientId}?tab=credentials`;

/** The message under the field with this label. */
const messageUnder = (page: Page, label: string) => describedText(page.getByLabel(label, { exact: true }));

const countCredentials = (clientId: string) =>
  web.countRows('credentials cd JOIN clients c ON c.id = cd.client_id WHERE c.uuid = $1', [clientId]);

describe('the credentials tab', () => {
  it('reveals a secret on record: the decrypt entry shows IP and browser beside it, and the secret hides after 30 s', async () => {
    const client = await make.client('user');
    const secret = 'reveal-me-Xy7#q2';
    const credential = await make.credential(client.id, { label: 'Hosting panel', secret });
    const page = await web.signIn('user');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.clock.install();
    await page.goto(credentialsTab(client.id));
    const card = page.getByRole('article', { name: 'Hosting panel' });
    await card.waitFor();
    expect(await page.content()).not.toContain(secret);

    await card.getByRole('button', { name: 'Reveal Hosting panel' }).click();
    await card.getByText(secret).waitFor();

    // The activity beside it: a "Revealed" row from this browser, at 127.0.0.1.
    const userAgent = await page.evaluate(() => navigator.userAgent);
    const activity = card.getByRole('table', { name: 'Activity of Hosting panel' });
    const revealedRow = activity.getByRole('row').filter({ hasText: 'Revealed' });
    await revealedRow.waitFor();
    const rowText = await revealedRow.textContent();
    expect(rowText).toContain('127.0.0.1');
    expect(rowText).toContain('Test user');
    expect(rowText).toMatch(/(HeadlessChrome|Chrome) \d+/);
    expect(await revealedRow.getByRole('cell').last().getAttribute('title')).toBe(userAgent);
    const { rows } = await web.api.db.query(
      `SELECT a.ip_address::text AS ip, a.user_agent FROM credential_audit_logs a
       JOIN credentials cd ON cd.id = a.credential_id WHERE cd.uuid = $1 AND a.action = 'decrypt'`,
      [credential.id],
    );
    expect(rows).toEqual([{ ip: '127.0.0.1/32', user_agent: userAgent }]);

    // Copy puts it on the clipboard and says so.
    await card.getByRole('button', { name: 'Copy' }).click();
    await card.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // Never in the URL or the browser's storage.
    expect(page.url()).not.toContain(secret);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(secret);

    // 31 seconds later it is gone from the page, and Reveal is back.
    await page.clock.fastForward('00:31');
    await card.getByRole('button', { name: 'Reveal Hosting panel' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.context().close();
  });

  it('creates a credential with the generator: the list never shows the value, Reveal gives it back', async () => {
    const client = await make.client('user');
    const page = await web.signIn('manager');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Label').fill('Mail server');
    await dialog.getByLabel('Username').fill('postmaster');
    await dialog.getByLabel('Length').fill('32');
    // The generator draws from crypto.getRandomValues; Math.random would throw (a page error fails the test).
    await page.evaluate(() => {
      const spy = globalThis as unknown as { randomCalls: number };
      spy.randomCalls = 0;
      const getRandomValues = crypto.getRandomValues;
      crypto.getRandomValues = new Proxy(getRandomValues, {
        apply(target, self, args: Parameters<typeof getRandomValues>) {
          spy.randomCalls += 1;
          return Reflect.apply(target, self, args);
        },
      });
      Math.random = () => {
        throw new Error('Math.random used for a password');
      };
    });
    await dialog.getByRole('button', { name: 'Generate password' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { randomCalls: number }).randomCalls)).toBeGreaterThan(
      0,
    );
    const generated = await dialog.getByLabel('Secret', { exact: true }).inputValue();
    expect(generated).toHaveLength(32);
    await dialog.getByRole('button', { name: 'Generate password' }).click();
    const second = await dialog.getByLabel('Secret', { exact: true }).inputValue();
    expect(second).toHaveLength(32);
    expect(second).not.toBe(generated);
    await dialog.getByLabel('Secret', { exact: true }).press('Enter');

    const card = page.getByRole('article', { name: 'Mail server' });
    await card.waitFor();
    expect(await dialog.count()).toBe(0);
    expect(await card.textContent()).toContain('postmaster');
    expect(await page.content()).not.toContain(second);
    // The create entry is beside it already.
    await card.getByRole('table', { name: 'Activity of Mail server' }).getByText('Created').waitFor();

    await card.getByRole('button', { name: 'Reveal Mail server' }).click();
    await card.getByText(second, { exact: true }).waitFor();
    await page.context().close();
  });

  it('bad input shows each field’s message, sends nothing and saves nothing; the form keeps what was typed', async () => {
    const client = await make.client('user');
    const page = await web.signIn('user');
    const createRequests = requestsTo(page, 'credentials.create');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Label').fill('   ');
    await dialog.getByLabel('URL').fill('ftp://files.example.com');
    await dialog.getByRole('button', { name: 'Create credential' }).click();

    await dialog.getByText('Please correct the marked fields.').waitFor();
    expect(await messageUnder(page, 'Label')).toBe('is required');
    expect(await messageUnder(page, 'Secret')).toBe('is required');
    expect(await messageUnder(page, 'URL')).toBe('must be an http(s) URL');
    expect(await dialog.getByLabel('URL').inputValue()).toBe('ftp://files.example.com');
    expect(createRequests).toEqual([]);
    expect(await countCredentials(client.id)).toBe(0);

    // Corrected, it saves once.
    await dialog.getByLabel('Label').fill('FTP');
    await dialog.getByLabel('Secret', { exact: true }).fill('ftp-password');
    await dialog.getByLabel('URL').fill('https://files.example.com');
    await dialog.getByRole('button', { name: 'Create credential' }).click();
    await page.getByRole('article', { name: 'FTP' }).waitFor();
    expect(await countCredentials(client.id)).toBe(1);
    await page.context().close();
  });

  it('editing with a blank secret keeps it; deleting asks first and keeps the history', async () => {
    const client = await make.client('user');
    const credential = await make.credential(client.id, { label: 'Router', secret: 'router-pass-1' });
    const page = await web.signIn('user');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('button', { name: 'Edit Router' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Router' });
    await dialog.getByLabel('Label').fill('Office router');
    await dialog.getByLabel('Username').fill('admin');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const card = page.getByRole('article', { name: 'Office router' });
    await card.getByRole('table', { name: 'Activity of Office router' }).getByText('Updated').waitFor();
    await card.getByRole('button', { name: 'Reveal Office router' }).click();
    await card.getByText('router-pass-1', { exact: true }).waitFor();

    await card.getByRole('button', { name: 'Delete Office router' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Office router?' });
    await confirm.getByRole('button', { name: 'Delete credential' }).click();
    await page.getByText('No credentials for this client yet.').waitFor();
    const { rows } = await web.api.db.query(
      `SELECT cd.deleted_at IS NOT NULL AS is_deleted, array_agg(a.action ORDER BY a.id) AS actions
       FROM credentials cd JOIN credential_audit_logs a ON a.credential_id = cd.id WHERE cd.uuid = $1 GROUP BY cd.id`,
      [credential.id],
    );
    expect(rows).toEqual([{ is_deleted: true, actions: ['create', 'update', 'decrypt', 'delete'] }]);
    await page.context().close();
  });

  it('a user cannot see another owner’s credentials, nor the users page', async () => {
    const client = await make.client('otherUser');
    await make.credential(client.id, { label: 'Other owner’s router', secret: 'router-secret-9' });
    const page = await web.signIn('user');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('alert').filter({ hasText: 'Not allowed' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Not allowed' }).textContent()).toContain(
      'only this client’s owner, a manager or an admin may see its credentials',
    );
    const html = await page.content();
    expect(html).not.toContain('Other owner’s router');
    expect(html).not.toContain('router-secret-9');
    expect(await page.getByRole('button', { name: 'Add credential' }).count()).toBe(0);

    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Not allowed: only admins manage users.');
    expect(await page.getByRole('table').count()).toBe(0);
    await page.context().close();
  });

  it('a secret under another key says so in words', async () => {
    const client = await make.client('user');
    await make.credential(client.id, { label: 'Old key', key: 'a-key-this-server-does-not-have' });
    const page = await web.signIn('user');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('button', { name: 'Reveal Old key' }).click();
    const alert = page.getByRole('article', { name: 'Old key' }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('The credential could not be decrypted with the configured key.');
    await page.context().close();
  });

  it('the tab, with a form open and on a phone, has no serious accessibility problems', async () => {
    const client = await make.client('user', { name: 'Screenshot Client' });
    await make.credential(client.id, { label: 'Website admin', by: { user: 'user', ip: '203.0.113.7' } });
    await make.credential(client.id, { label: 'Database' });
    const page = await web.signIn('user');
    await page.goto(credentialsTab(client.id));
    await page.getByRole('table', { name: 'Activity of Website admin' }).waitFor();
    await page.getByRole('button', { name: 'Reveal Database' }).click();
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await expectAccessible(page, 'credentials-tab');

    await page.getByRole('button', { name: 'Add credential' }).click();
    await page.getByRole('dialog', { name: 'New credential' }).waitFor();
    await expectAccessible(page, 'credential-form');
    await page.context().close();

    const small = await web.signIn('user', phone);
    await small.goto(credentialsTab(client.id));
    await small.getByRole('table', { name: 'Activity of Website admin' }).waitFor();
    await expectAccessible(small, 'credentials-tab-phone');
    await small.context().close();
  });
});
