/**
 * The key check at start, against real PostgreSQL: a version's first key is remembered by a
 * verifier that is not the key, and any other key for that version is refused with a message that
 * names the variable and the version, never the key. Each test uses versions of its own.
 */
import { createHash } from 'node:crypto';
import { demoEncryptionKey } from '@mini-crm/database';
import { useTestDatabase } from '@mini-crm/database/testing';
import type { DatabasePool } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabasePool } from '../db.ts';
import { checkEncryptionKeys } from './check.ts';
import type { EncryptionKeys, KeyVersion } from './keyring.ts';

const database = useTestDatabase();
let pool: DatabasePool;
beforeAll(async () => {
  pool = await createDatabasePool(database.url, { maximumPoolSize: 2 });
});
afterAll(() => pool.end());

const keys = (current: KeyVersion, ...previous: KeyVersion[]): EncryptionKeys => ({ current, previous });

const verifiers = async () =>
  (
    await database.pool.query<{ version: number; verifier: Buffer }>(
      'SELECT version, verifier FROM encryption_key_versions ORDER BY version',
    )
  ).rows;

/** A credential encrypted with `key` that records `version`, as a database from before key versions has. */
async function storeCredential(version: number, key: string) {
  await database.pool.query(
    `WITH client AS (INSERT INTO clients (name) VALUES ('Key Check Ltd') RETURNING id)
     INSERT INTO credentials (client_id, label, encrypted_value, key_version)
     SELECT id, 'Login', encrypt_credential_value('check-test-secret', $1), $2 FROM client`,
    [key, version],
  );
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the check passed');
    },
    (error: unknown) => error as Error,
  );

describe('checkEncryptionKeys', () => {
  it('remembers the first key of a version by a verifier that is neither the key nor its hash', async () => {
    const key = 'first-key-of-version-11';
    await checkEncryptionKeys(pool, keys({ version: 11, key }));
    const row = (await verifiers()).find((entry) => entry.version === 11);
    expect(row?.verifier).toBeInstanceOf(Buffer);
    const sha256 = createHash('sha256').update(key).digest();
    for (const leak of [Buffer.from(key), sha256, Buffer.from(sha256.toString('hex'))]) {
      expect(row?.verifier.includes(leak)).toBe(false);
    }
    // The same key passes again and changes nothing.
    await checkEncryptionKeys(pool, keys({ version: 11, key }));
    expect((await verifiers()).filter((entry) => entry.version === 11)).toEqual([row]);
  });

  it('refuses another key for a known version, naming the variable and the version, never the key', async () => {
    await checkEncryptionKeys(pool, keys({ version: 21, key: 'right-key-of-version-21' }));
    const wrong = 'wrong-key-for-version-21';
    const error = await failureOf(checkEncryptionKeys(pool, keys({ version: 21, key: wrong })));
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(
      /^Wrong encryption key: CRM_ENCRYPTION_KEY \(version 21, CRM_ENCRYPTION_KEY_VERSION\) is not the key that version 21 was first used with/,
    );
    expect(error.message).toMatch(/in any environment/);
    expect(error.message).not.toContain(wrong);

    const asPrevious = await failureOf(
      checkEncryptionKeys(pool, keys({ version: 22, key: 'new-key-of-version-22' }, { version: 21, key: wrong })),
    );
    expect(asPrevious.message).toMatch(/CRM_PREVIOUS_ENCRYPTION_KEYS: the key given for version 21 is not the key/);
    // The wrong older key stopped the check before version 22 was registered.
    expect((await verifiers()).map((entry) => entry.version)).not.toContain(22);

    const asDemo = await failureOf(
      checkEncryptionKeys(pool, keys({ version: 21, key: demoEncryptionKey }), { isUsingDemoKey: true }),
    );
    expect(asDemo.message).toMatch(/CRM_ENCRYPTION_KEY is not set, and the public demo key standing in for it/);
  });

  it('checks a version without a verifier against its credentials (a database from before key versions)', async () => {
    await storeCredential(31, 'key-the-data-was-written-with');
    const error = await failureOf(checkEncryptionKeys(pool, keys({ version: 31, key: 'some-other-key-entirely' })));
    expect(error.message).toMatch(/the credentials recorded at version 31 do not decrypt with it/);
    expect((await verifiers()).map((entry) => entry.version)).not.toContain(31);

    await checkEncryptionKeys(pool, keys({ version: 31, key: 'key-the-data-was-written-with' }));
    expect((await verifiers()).map((entry) => entry.version)).toContain(31);
  });

  it('warns about credentials no configured key opens, and says what to do next', async () => {
    await storeCredential(41, 'old-key-of-version-41');
    await storeCredential(41, 'old-key-of-version-41');
    await storeCredential(42, 'orphan-key-of-version-42');
    const report = await checkEncryptionKeys(
      pool,
      keys(
        { version: 43, key: 'new-key-of-version-43' },
        { version: 41, key: 'old-key-of-version-41' },
        { version: 40, key: 'retired-key-version-40' },
      ),
    );
    expect(report.countsByVersion.get(41)).toBe(2);
    expect(report.warnings).toContain(
      '1 credential(s) are encrypted with key version 42, which is not configured: revealing them fails (412) ' +
        'until CRM_PREVIOUS_ENCRYPTION_KEYS holds "42:<key>".',
    );
    expect(report.notes).toEqual([
      '2 credential(s) still use key version 41: `pnpm crm rotate-key --as <admin e-mail>` re-encrypts them with version 43.',
      'no credential uses key version 40 any more: remove it from CRM_PREVIOUS_ENCRYPTION_KEYS.',
    ]);
    // A version in use gets its verifier once its key is shown to open its credentials; an unused one none.
    const registered = (await verifiers()).map((entry) => entry.version);
    expect(registered).toEqual(expect.arrayContaining([41, 43]));
    expect(registered).not.toContain(40);
  });
});
