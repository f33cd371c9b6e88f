/**
 * `pnpm crm rotate-key` as an operator runs it: a real process (src/cli.ts) on the test database,
 * keys from the environment, moving every credential from key version 1 (the API's usual test key)
 * to version 2, while the API (holding both keys) keeps revealing. It is stopped, killed in the middle
 * of a batch, and run again; a wrong old key or a non-admin changes nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEncryptionKey, useTestApi } from '../../test/api.ts';
import { fixtures } from '../../test/fixtures.ts';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));
const newKey = 'rotate-test-new-key-of-version-2';
const wrongOldKey = 'rotate-test-not-the-old-key';

const api = useTestApi({
  encryptionKeys: { current: { version: 2, key: newKey }, previous: [{ version: 1, key: testEncryptionKey }] },
});
const make = fixtures(api);

/** The plaintexts of the live credentials, by uuid; none may appear in the command's output. */
const secrets = new Map<string, string>();
let deletedId = '';
let withoutValueId = '';
/** Everything every run printed. */
let allOutput = '';

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function rotate(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['src/cli.ts', 'rotate-key', ...args], {
    cwd: apiDir,
    env: {
      ...process.env,
      DATABASE_URL: api.ownerDatabaseUrl,
      NODE_ENV: 'test',
      CRM_ENCRYPTION_KEY: newKey,
      CRM_ENCRYPTION_KEY_VERSION: '2',
      CRM_PREVIOUS_ENCRYPTION_KEYS: `1:${testEncryptionKey}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    allOutput += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const asAdmin = () => ['--as', api.accounts.admin.email.toUpperCase()];

/** Each credential's version and stored bytes, and which key opens it. */
const snapshot = async () =>
  (
    await api.db.query<{
      uuid: string;
      key_version: number;
      value: string | null;
      with_new: boolean;
      with_old: boolean;
    }>(
      `SELECT uuid, key_version, encode(encrypted_value, 'hex') AS value,
              credential_key_matches(encrypted_value, $1) AS with_new,
              credential_key_matches(encrypted_value, $2) AS with_old
       FROM credentials ORDER BY id`,
      [newKey, testEncryptionKey],
    )
  ).rows;

const versions = async () => (await snapshot()).map((row) => row.key_version);

const auditRows = async () =>
  (
    await api.db.query<{
      uuid: string;
      action: string;
      user_id: number | null;
      ip: string | null;
      user_agent: string | null;
    }>(
      `SELECT cd.uuid, a.action, a.user_id, host(a.ip_address) AS ip, a.user_agent
       FROM credential_audit_logs a JOIN credentials cd ON cd.id = a.credential_id ORDER BY a.id`,
    )
  ).rows;

const registeredVersions = async () =>
  (await api.db.query<{ version: number }>('SELECT version FROM encryption_key_versions ORDER BY version')).rows.map(
    (row) => row.version,
  );

beforeAll(async () => {
  const { id: clientId } = await make.client('user');
  for (const n of [1, 2, 3, 4]) {
    const secret = `rotate-plain-S3cret-${n}${n}${n}${n}`;
    const { id } = await make.credential(clientId, { secret });
    secrets.set(id, secret);
  }
  deletedId = (await make.credential(clientId, { secret: 'rotate-deleted-S3cret-5555' })).id;
  await api.db.query('UPDATE credentials SET deleted_at = now() WHERE uuid = $1', [deletedId]);
  withoutValueId = (await make.credential(clientId, { secret: null })).id;
});

describe('pnpm crm rotate-key', () => {
  it('refuses a wrong old key, a non-admin and a key given as an argument, changing nothing', async () => {
    const before = { credentials: await snapshot(), audit: await auditRows() };

    const wrongKey = rotate(asAdmin(), { CRM_PREVIOUS_ENCRYPTION_KEYS: `1:${wrongOldKey}` });
    expect(await wrongKey.exited).toBe(1);
    expect(wrongKey.output()).toMatch(
      /Wrong encryption key: CRM_PREVIOUS_ENCRYPTION_KEYS: the key given for version 1 is not the key that version 1 was first used with/,
    );
    expect(wrongKey.output()).not.toContain(wrongOldKey);

    const noOldKey = rotate(asAdmin(), { CRM_PREVIOUS_ENCRYPTION_KEYS: '' });
    expect(await noOldKey.exited).toBe(1);
    expect(noOldKey.output()).toMatch(
      /6 credential\(s\) are at key version 1, whose key is not configured: add "1:<key>" to CRM_PREVIOUS_ENCRYPTION_KEYS/,
    );

    const notAdmin = rotate(['--as', api.accounts.manager.email]);
    expect(await notAdmin.exited).toBe(1);
    expect(notAdmin.output()).toMatch(/--as manager@test\.example\.com: not an active admin/);

    const keyAsArgument = rotate([...asAdmin(), '--new-key', newKey]);
    expect(await keyAsArgument.exited).toBe(1);
    expect(keyAsArgument.output()).toMatch(/Unknown option '--new-key'/);

    expect(await snapshot()).toEqual(before.credentials);
    expect(await auditRows()).toEqual(before.audit);
    expect(await registeredVersions()).toEqual([]);
  });

  it('re-encrypts in batches, resumes after a stop and after a kill, and audits each credential once', async () => {
    const auditBefore = (await auditRows()).length;

    // A run limited to one batch of two: two credentials move, the rest wait for the next run.
    const first = rotate([...asAdmin(), '--batch-size', '2', '--max-batches', '1']);
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/re-encrypting 6 credential\(s\) with key version 2, 2 per batch/);
    expect(first.output()).toMatch(/batch 1: 2 re-encrypted from version 1 \(2 of 6\)/);
    expect(first.output()).toMatch(/stopped after 1 batch\(es\) \(--max-batches\): 2 re-encrypted, 4 left; run again/);
    expect(await versions()).toEqual([2, 2, 1, 1, 1, 1]);
    expect(await registeredVersions()).toEqual([1, 2]);

    // Mid-rotation the API reveals both versions, each with its own key.
    const manager = await api.signIn('manager');
    for (const [id, secret] of secrets) expect((await manager.credentials.reveal.mutate({ id })).value).toBe(secret);

    // A run killed in the middle of a batch: its audit row insert waits on a lock this test holds.
    const holder = await api.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE credential_audit_logs IN EXCLUSIVE MODE');
      const killed = rotate([...asAdmin(), '--batch-size', '2']);
      await waitFor(
        async () =>
          (
            await api.db.query(
              `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE NOT l.granted AND c.relname = 'credential_audit_logs'`,
            )
          ).rowCount === 1,
        killed,
      );
      killed.child.kill('SIGKILL');
      await killed.exited;
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    await waitFor(
      async () =>
        (
          await api.db.query(
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%keys.reencryptBatch%' AND pid <> pg_backend_pid()",
          )
        ).rowCount === 0,
    );
    expect(await versions()).toEqual([2, 2, 1, 1, 1, 1]);

    // The next run finishes the rest.
    const last = rotate([...asAdmin(), '--batch-size', '2']);
    expect(await last.exited).toBe(0);
    expect(last.output()).toMatch(/re-encrypting 4 credential\(s\)/);
    expect(last.output()).toMatch(/batch 2: 2 re-encrypted from version 1 \(4 of 4\)/);
    expect(last.output()).toMatch(/done: 4 credential\(s\) re-encrypted; every credential is at key version 2/);

    // Every value (the deleted one's too) now opens with the new key and not the old; none was lost.
    const after = await snapshot();
    expect(after.map((row) => row.key_version)).toEqual([2, 2, 2, 2, 2, 2]);
    for (const row of after.filter((entry) => entry.uuid !== withoutValueId)) {
      expect([row.with_new, row.with_old]).toEqual([true, false]);
    }
    expect(after.find((row) => row.uuid === withoutValueId)?.value).toBeNull();
    for (const [id, secret] of secrets) expect((await manager.credentials.reveal.mutate({ id })).value).toBe(secret);

    // One 'update' per credential, naming the admin and the command; none from the killed run.
    const rotationRows = (await auditRows()).filter((row) => row.user_agent?.startsWith('mini-crm rotate-key'));
    expect(rotationRows).toHaveLength(6);
    expect(new Set(rotationRows.map((row) => row.uuid)).size).toBe(6);
    for (const row of rotationRows) {
      expect(row).toMatchObject({
        action: 'update',
        user_id: api.accounts.admin.internalId,
        ip: null,
        user_agent: 'mini-crm rotate-key (key version 1 → 2)',
      });
    }
    // The reveals above audited 'decrypt' rows; the rotation added exactly its six.
    expect((await auditRows()).length).toBe(auditBefore + 6 + 2 * secrets.size);
  });

  it('has nothing to do once every credential is at the current version', async () => {
    const auditBefore = (await auditRows()).length;
    const again = rotate(asAdmin());
    expect(await again.exited).toBe(0);
    expect(again.output()).toMatch(/nothing to do: every credential is at key version 2/);
    expect((await auditRows()).length).toBe(auditBefore);
  });

  it('never printed a plaintext or a key', () => {
    expect(allOutput).toMatch(/\[crm\]/);
    for (const secret of [...secrets.values(), 'rotate-deleted-S3cret-5555']) expect(allOutput).not.toContain(secret);
    for (const key of [newKey, testEncryptionKey, wrongOldKey]) expect(allOutput).not.toContain(key);
  });
});

/** Polls `condition` for up to 30 s; fails early, with its output, if `run` exits meanwhile. */
async function waitFor(condition: () => Promise<boolean>, run?: Run) {
  let hasExited = false;
  void run?.exited.then(() => (hasExited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await condition()) return;
    if (hasExited) throw new Error(`the run ended first:\n${run?.output()}`);
    await sleep(100);
  }
  throw new Error(`timed out waiting${run ? `; the run printed:\n${run.output()}` : ''}`);
}
