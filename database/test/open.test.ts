/**
 * openDatabase hands the API its own URL: on the embedded server mini_crm_app signs in by itself
 * (its password made once, kept in CRM_DATA_DIR readable by its owner only); with DATABASE_URL the
 * operator's CRM_APP_DATABASE_URL, and a warning whenever the API would run as more than that.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../src/migrate.ts';
import { openDatabase } from '../src/open.ts';
import { appPasswordFileName, appRoleName } from '../src/roles.ts';
import { freePort, useTestDatabase } from '../src/testing.ts';

const signedInAs = (url: string) =>
  withClient(url, async (client) => (await client.query('SELECT current_user AS name')).rows[0].name);

describe('openDatabase on the embedded server', () => {
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mini-crm-open-'));
    port = await freePort();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('signs the API in as mini_crm_app, with a password kept in CRM_DATA_DIR (mode 0600) across starts', async () => {
    const first = await openDatabase({ embedded: { dataDir, port } });
    let password: string;
    try {
      expect(first.warnings).toEqual([]);
      expect(await signedInAs(first.url)).toBe('postgres');
      expect(await signedInAs(first.appUrl)).toBe(appRoleName);
      const file = join(dataDir, appPasswordFileName);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      password = (await readFile(file, 'utf8')).trim();
      expect(new URL(first.appUrl).password).toBe(password);
    } finally {
      await first.stop();
    }

    const second = await openDatabase({ embedded: { dataDir, port } });
    try {
      expect(new URL(second.appUrl).password).toBe(password);
      expect(await signedInAs(second.appUrl)).toBe(appRoleName);
    } finally {
      await second.stop();
    }
  });

  it('pnpm db app-login with DATABASE_URL: a new password, and the URL that signs in with it', async () => {
    const db = await openDatabase({ embedded: { dataDir, port } });
    try {
      const cli = new URL('../src/cli.ts', import.meta.url).pathname;
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'app-login'], {
        env: { ...process.env, DATABASE_URL: db.url },
      });
      const printed = stdout.trim().split('\n').at(-1) ?? '';
      expect(new URL(printed).username).toBe(appRoleName);
      expect(await signedInAs(printed)).toBe(appRoleName);
      // The old password no longer signs in.
      await expect(signedInAs(db.appUrl)).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await db.stop();
    }
  });

  it('refuses CRM_APP_DATABASE_URL without DATABASE_URL', async () => {
    await expect(openDatabase({ appDatabaseUrl: 'postgres://someone@db.example.invalid/crm' })).rejects.toThrow(
      /CRM_APP_DATABASE_URL goes with DATABASE_URL/,
    );
  });
});

describe('openDatabase with DATABASE_URL', () => {
  const db = useTestDatabase();

  it("without CRM_APP_DATABASE_URL: the API gets the owner's URL, and a warning that says so", async () => {
    const opened = await openDatabase({ databaseUrl: db.url });
    expect(opened.appUrl).toBe(db.url);
    expect(opened.warnings).toEqual([
      expect.stringMatching(/^CRM_APP_DATABASE_URL is not set: the API connects with DATABASE_URL/),
    ]);
  });

  it('with CRM_APP_DATABASE_URL signing in as mini_crm_app: that URL, and no warning', async () => {
    const opened = await openDatabase({ databaseUrl: db.url, appDatabaseUrl: db.appUrl });
    expect(opened).toMatchObject({ url: db.url, appUrl: db.appUrl, warnings: [] });
  });

  it('with CRM_APP_DATABASE_URL signing in as a superuser: a warning naming it', async () => {
    const opened = await openDatabase({ databaseUrl: db.url, appDatabaseUrl: db.url });
    expect(opened.warnings).toEqual([
      expect.stringContaining('the API connects (CRM_APP_DATABASE_URL) as "postgres", a superuser'),
    ]);
  });
});
