/**
 * credentials.* while a key rotation is under way: the server holds key version 2 (current) and
 * version 1 (the API's usual test key, the one every older credential was written with). Each value
 * records its version; new values take version 2; each reveal uses the key of the version it records.
 */
import { describe, expect, it } from 'vitest';
import { testEncryptionKey, useTestApi } from '../../test/api.ts';
import { fixtures } from '../../test/fixtures.ts';

const newKey = 'key-versions-test-new-key-v2';
const api = useTestApi({
  encryptionKeys: { current: { version: 2, key: newKey }, previous: [{ version: 1, key: testEncryptionKey }] },
});
const make = fixtures(api);

const secrets = {
  created: 'created-under-v2-S3cret-1111',
  old: 'written-under-v1-S3cret-2222',
  replaced: 'replaced-under-v2-S3cret-3333',
  lost: 'written-under-v7-S3cret-4444',
};

api.neverLogged(secrets);

/** The version a credential records, and whether each key decrypts what is stored. */
const stored = async (credentialUuid: string) =>
  (
    await api.db.query<{ key_version: number; with_new: boolean; with_old: boolean }>(
      `SELECT key_version, credential_key_matches(encrypted_value, $2) AS with_new,
              credential_key_matches(encrypted_value, $3) AS with_old
       FROM credentials WHERE uuid = $1`,
      [credentialUuid, newKey, testEncryptionKey],
    )
  ).rows[0];

const decryptActions = async (credentialUuid: string) =>
  (
    await api.db.query<{ action: string }>(
      `SELECT a.action FROM credential_audit_logs a JOIN credentials cd ON cd.id = a.credential_id
       WHERE cd.uuid = $1 AND a.action = 'decrypt'`,
      [credentialUuid],
    )
  ).rows.length;

describe('credential key versions', () => {
  it('encrypts new and replaced values with the current version and records it; other edits keep the version', async () => {
    const user = await api.signIn('user');
    const { id: clientId } = await make.client('user');
    const created = await user.credentials.create.mutate({ clientId, label: 'New', value: secrets.created });
    expect(await stored(created.id)).toEqual({ key_version: 2, with_new: true, with_old: false });

    const { id } = await make.credential(clientId, { secret: secrets.old });
    expect(await stored(id)).toEqual({ key_version: 1, with_new: false, with_old: true });
    await user.credentials.update.mutate({ id, notes: 'label and notes only' });
    expect(await stored(id)).toEqual({ key_version: 1, with_new: false, with_old: true });
    await user.credentials.update.mutate({ id, value: secrets.replaced });
    expect(await stored(id)).toEqual({ key_version: 2, with_new: true, with_old: false });
    expect((await user.credentials.reveal.mutate({ id })).value).toBe(secrets.replaced);
  });

  it('reveals credentials of both versions, each with the key of the version it records', async () => {
    const manager = await api.signIn('manager');
    const { id: clientId } = await make.client('user');
    const old = await make.credential(clientId, { secret: secrets.old });
    const current = await make.credential(clientId, { secret: secrets.created, key: newKey, keyVersion: 2 });
    expect(await manager.credentials.reveal.mutate({ id: old.id })).toEqual({ id: old.id, value: secrets.old });
    expect(await manager.credentials.reveal.mutate({ id: current.id })).toEqual({
      id: current.id,
      value: secrets.created,
    });
    expect([await decryptActions(old.id), await decryptActions(current.id)]).toEqual([1, 1]);
  });

  it('answers 412 naming the version when no key of that version is configured, and audits nothing', async () => {
    const { id: clientId } = await make.client('user');
    const { id } = await make.credential(clientId, {
      secret: secrets.lost,
      key: 'a-key-this-server-never-had',
      keyVersion: 7,
    });
    const user = await api.signIn('user');
    const error = await user.credentials.reveal.mutate({ id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      message: 'the credential is encrypted with key version 7, which is not configured',
      data: { code: 'PRECONDITION_FAILED', httpStatus: 412 },
    });
    expect(JSON.stringify(error)).not.toContain(secrets.lost);
    expect(await decryptActions(id)).toBe(0);
    const logged = api.logs.filter((line) => line.includes('credential key version not configured'));
    expect(logged.some((line) => line.includes(id) && line.includes('"keyVersion":7'))).toBe(true);
    // The details stay readable; only the secret waits for its key.
    expect((await user.credentials.get.query({ id })).hasValue).toBe(true);
  });
});
