/**
 * credentials.*: the vault over real HTTP. What is stored is ciphertext that decrypts with the
 * configured key; no list or detail response carries the secret; each read and write leaves exactly
 * its audit row (who, 127.0.0.1, the user agent) and a refused request leaves none.
 */
import { describe, expect, it } from 'vitest';
import { type AccountName, testEncryptionKey, useTestApi } from '../../test/api.ts';
import { fixtures } from '../../test/fixtures.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();
const userAgent = 'Vitest/1';

/** Every plaintext this file stores: none may reach a response it should not, nor a log line. */
const secrets = {
  ftp: 'ftp-plain-S3cret-4711',
  rotated: 'rotated-plain-S3cret-0815',
  quoted: `O'Brien "pass"; DROP TABLE credentials; --`,
  owned: 'owned-plain-S3cret-2222',
  foreign: 'foreign-plain-S3cret-3333',
  otherKey: 'other-key-plain-S3cret-9999',
};

api.neverLogged(secrets);

const signIn = (name: AccountName) => api.signIn(name, { userAgent });

const make = fixtures(api);
const makeClient = async (owner: 'user' | 'otherUser' | null = 'user') => (await make.client(owner)).id;

type AuditRow = { action: string; user_id: number | null; ip: string | null; user_agent: string | null };

/** The credential's audit rows, oldest first. */
const auditRowsOf = async (credentialUuid: string) =>
  (
    await api.db.query<AuditRow>(
      `SELECT a.action, a.user_id, host(a.ip_address) AS ip, a.user_agent
       FROM credential_audit_logs a JOIN credentials cd ON cd.id = a.credential_id
       WHERE cd.uuid = $1 ORDER BY a.id`,
      [credentialUuid],
    )
  ).rows;

const auditCount = async () =>
  (await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM credential_audit_logs')).rows[0]?.n;

const credentialCount = async () =>
  (await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM credentials')).rows[0]?.n;

/** The audit row a request by `name` over the test client leaves. */
const auditBy = (action: string, name: AccountName): AuditRow => ({
  action,
  user_id: api.accounts[name].internalId,
  ip: '127.0.0.1',
  user_agent: userAgent,
});

/** What PostgreSQL stores, decrypted there with the test key. */
const stored = async (credentialUuid: string) =>
  (
    await api.db.query<{ encrypted_value: Buffer | null; decrypted: string | null }>(
      `SELECT encrypted_value, decrypt_credential_value(encrypted_value, $2) AS decrypted
       FROM credentials WHERE uuid = $1`,
      [credentialUuid, testEncryptionKey],
    )
  ).rows[0];

const create = (client: CrmClient, clientId: string, value: string, label = 'FTP') =>
  client.credentials.create.mutate({ clientId, label, value });

const badRequestOn = (field: string) => ({
  data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
});

describe('credentials.create', () => {
  it('stores the value encrypted with the key, answers without it, and audits "create" once', async () => {
    const admin = await signIn('admin');
    const clientId = await makeClient('user');
    const before = await auditCount();
    const credential = await admin.credentials.create.mutate({
      clientId,
      label: '  FTP server ',
      username: ' deploy ',
      value: secrets.ftp,
      url: 'https://ftp.example.com/login',
      notes: 'Rotate quarterly.',
    });
    expect(credential).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientId,
      label: 'FTP server',
      username: 'deploy',
      url: 'https://ftp.example.com/login',
      notes: 'Rotate quarterly.',
      hasValue: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: credential.createdAt,
    });
    expect(JSON.stringify(credential)).not.toContain(secrets.ftp);

    const row = await stored(credential.id);
    expect(row?.encrypted_value).toBeInstanceOf(Buffer);
    expect(row?.encrypted_value?.includes(Buffer.from(secrets.ftp))).toBe(false);
    expect(row?.decrypted).toBe(secrets.ftp);

    expect(await auditRowsOf(credential.id)).toEqual([auditBy('create', 'admin')]);
    expect(await auditCount()).toBe((before ?? 0) + 1);
  });

  it('keeps a value with quotes and SQL in it exactly as typed (it travels as a parameter)', async () => {
    const user = await signIn('user');
    const credential = await create(user, await makeClient('user'), secrets.quoted);
    expect((await stored(credential.id))?.decrypted).toBe(secrets.quoted);
    expect(await user.credentials.reveal.mutate({ id: credential.id })).toEqual({
      id: credential.id,
      value: secrets.quoted,
    });
  });

  it('stores blank optional fields as null', async () => {
    const user = await signIn('user');
    const credential = await user.credentials.create.mutate({
      clientId: await makeClient('user'),
      label: 'Router',
      value: 'v',
      username: '  ',
      url: '',
      notes: null,
    });
    expect(credential).toMatchObject({ username: null, url: null, notes: null });
  });

  it('refuses bad input by field and writes no row', async () => {
    const admin = await signIn('admin');
    const clientId = await makeClient('user');
    const before = [await credentialCount(), await auditCount()];
    const base = { clientId, label: 'FTP', value: 'v' };
    await expect(admin.credentials.create.mutate({ ...base, label: '   ' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { label: ['is required'] } },
    });
    await expect(admin.credentials.create.mutate({ ...base, url: 'javascript:alert(1)' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { url: ['must be an http(s) URL'] } },
    });
    await expect(admin.credentials.create.mutate({ ...base, value: '' })).rejects.toMatchObject(badRequestOn('value'));
    await expect(admin.credentials.create.mutate({ ...base, value: 'x'.repeat(10_001) })).rejects.toMatchObject(
      badRequestOn('value'),
    );
    await expect(admin.credentials.create.mutate({ ...base, value: 'a\u0000b' })).rejects.toMatchObject(
      badRequestOn('value'),
    );
    await expect(admin.credentials.create.mutate({ ...base, label: 'x'.repeat(256) })).rejects.toMatchObject(
      badRequestOn('label'),
    );
    await expect(admin.credentials.create.mutate({ ...base, clientId: 'not-a-uuid' })).rejects.toMatchObject(
      badRequestOn('clientId'),
    );
    await expect(
      admin.credentials.create.mutate({ ...base, clientId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect([await credentialCount(), await auditCount()]).toEqual(before);
  });

  it('lets a user add credentials to their own clients only', async () => {
    const user = await signIn('user');
    const before = [await credentialCount(), await auditCount()];
    await expect(create(user, await makeClient('otherUser'), secrets.foreign)).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    await expect(create(user, await makeClient(null), secrets.foreign)).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect([await credentialCount(), await auditCount()]).toEqual(before);
  });
});

describe('credentials.list', () => {
  it("lists the client's live credentials by label, without any secret, and audits nothing", async () => {
    const user = await signIn('user');
    const clientId = await makeClient('user');
    const b = await create(user, clientId, secrets.owned, 'b mail');
    const a = await create(user, clientId, secrets.owned, 'A router');
    const gone = await create(user, clientId, secrets.owned, 'c gone');
    await user.credentials.delete.mutate({ id: gone.id });
    await create(user, await makeClient('user'), secrets.owned, 'elsewhere');

    const before = await auditCount();
    const list = await user.credentials.list.query({ clientId });
    expect(list).toEqual([a, b]);
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(
      ['clientId', 'createdAt', 'hasValue', 'id', 'label', 'notes', 'updatedAt', 'url', 'username'].sort(),
    );
    expect(JSON.stringify(list)).not.toContain(secrets.owned);
    expect(await auditCount()).toBe(before);
  });

  it('shows managers and admins any client, a user only their own', async () => {
    const foreignClient = await makeClient('otherUser');
    const other = await signIn('otherUser');
    const credential = await create(other, foreignClient, secrets.foreign);
    for (const name of ['admin', 'manager'] as const) {
      expect(await (await signIn(name)).credentials.list.query({ clientId: foreignClient })).toEqual([credential]);
    }
    await expect((await signIn('user')).credentials.list.query({ clientId: foreignClient })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
  });

  it('answers an unknown client with NOT_FOUND and a malformed id with BAD_REQUEST', async () => {
    const admin = await signIn('admin');
    await expect(
      admin.credentials.list.query({ clientId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(admin.credentials.list.query({ clientId: '42' })).rejects.toMatchObject(badRequestOn('clientId'));
  });
});

describe('credentials.get', () => {
  it('returns the details without the secret and audits exactly one "view"', async () => {
    const user = await signIn('user');
    const credential = await create(user, await makeClient('user'), secrets.owned);
    const got = await user.credentials.get.query({ id: credential.id });
    expect(got).toEqual(credential);
    expect(JSON.stringify(got)).not.toContain(secrets.owned);
    expect(await auditRowsOf(credential.id)).toEqual([auditBy('create', 'user'), auditBy('view', 'user')]);
  });

  it("refuses another user's credential with FORBIDDEN and audits nothing", async () => {
    const other = await signIn('otherUser');
    const credential = await create(other, await makeClient('otherUser'), secrets.foreign);
    const before = await auditCount();
    await expect((await signIn('user')).credentials.get.query({ id: credential.id })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect(await auditCount()).toBe(before);
    // A manager may, and that view is audited as the manager's.
    await (await signIn('manager')).credentials.get.query({ id: credential.id });
    expect((await auditRowsOf(credential.id)).at(-1)).toEqual(auditBy('view', 'manager'));
  });

  it('answers an unknown id with NOT_FOUND', async () => {
    await expect(
      (await signIn('admin')).credentials.get.query({ id: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});

describe('credentials.reveal', () => {
  it('returns the plaintext and audits exactly one "decrypt" with who and where', async () => {
    const user = await signIn('user');
    const credential = await create(user, await makeClient('user'), secrets.owned);
    const before = await auditCount();
    expect(await user.credentials.reveal.mutate({ id: credential.id })).toEqual({
      id: credential.id,
      value: secrets.owned,
    });
    expect(await auditCount()).toBe((before ?? 0) + 1);
    expect((await auditRowsOf(credential.id)).at(-1)).toEqual(auditBy('decrypt', 'user'));
  });

  it("lets managers and admins reveal any credential, and refuses a user another's without an audit row", async () => {
    const credential = await create(await signIn('otherUser'), await makeClient('otherUser'), secrets.foreign);
    const before = await auditCount();
    await expect((await signIn('user')).credentials.reveal.mutate({ id: credential.id })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect(await auditCount()).toBe(before);
    for (const name of ['manager', 'admin'] as const) {
      expect((await (await signIn(name)).credentials.reveal.mutate({ id: credential.id })).value).toBe(secrets.foreign);
      expect((await auditRowsOf(credential.id)).at(-1)).toEqual(auditBy('decrypt', name));
    }
  });

  it('says clearly when the value does not decrypt with the configured key, leaking nothing', async () => {
    const clientId = await makeClient('user');
    const { id } = await make.credential(clientId, { label: 'Old vault', secret: secrets.otherKey, key: 'other-key' });
    const before = await auditCount();
    const user = await signIn('user');
    const error = await user.credentials.reveal.mutate({ id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      message: 'the credential could not be decrypted with the configured key',
      data: { code: 'PRECONDITION_FAILED', httpStatus: 412 },
    });
    const json = JSON.stringify(error);
    expect(json).not.toContain(secrets.otherKey);
    expect(json).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    // The failed transaction takes its 'decrypt' row with it: the log records what happened.
    expect(await auditCount()).toBe(before);
    // The operator learns which credential and why, from the log, without values.
    const logged = api.logs.filter((line) => line.includes('credential decryption failed'));
    expect(logged.some((line) => line.includes(id) && line.includes('MC002'))).toBe(true);
    // Its details are still readable: only the secret is lost.
    expect((await user.credentials.get.query({ id })).label).toBe('Old vault');
  });

  it('reveals null for a credential stored without a value', async () => {
    const clientId = await makeClient('user');
    const { id } = await make.credential(clientId, { label: 'Username only', secret: null });
    const user = await signIn('user');
    expect((await user.credentials.get.query({ id })).hasValue).toBe(false);
    expect(await user.credentials.reveal.mutate({ id })).toEqual({ id, value: null });
  });
});

describe('credentials.update', () => {
  it('changes only the fields given, re-encrypts a new value, and audits one "update"', async () => {
    const user = await signIn('user');
    const credential = await user.credentials.create.mutate({
      clientId: await makeClient('user'),
      label: 'FTP',
      username: 'deploy',
      value: secrets.owned,
      notes: 'keep me',
    });
    const oldCiphertext = (await stored(credential.id))?.encrypted_value;
    const updated = await user.credentials.update.mutate({
      id: credential.id,
      label: 'SFTP',
      username: null,
      value: secrets.rotated,
      url: 'http://sftp.example.com',
    });
    expect(updated).toEqual({
      ...credential,
      label: 'SFTP',
      username: null,
      url: 'http://sftp.example.com',
      notes: 'keep me',
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(updated)).not.toContain(secrets.rotated);
    const row = await stored(credential.id);
    expect(row?.decrypted).toBe(secrets.rotated);
    expect(row?.encrypted_value?.equals(oldCiphertext ?? Buffer.alloc(0))).toBe(false);
    expect((await user.credentials.reveal.mutate({ id: credential.id })).value).toBe(secrets.rotated);
    expect(await auditRowsOf(credential.id)).toEqual([
      auditBy('create', 'user'),
      auditBy('update', 'user'),
      auditBy('decrypt', 'user'),
    ]);
  });

  it('keeps the secret when no value is given, and writes nothing when nothing is given', async () => {
    const user = await signIn('user');
    const credential = await create(user, await makeClient('user'), secrets.owned);
    await user.credentials.update.mutate({ id: credential.id, notes: 'rotated yesterday' });
    expect((await stored(credential.id))?.decrypted).toBe(secrets.owned);
    const before = await auditCount();
    expect(await user.credentials.update.mutate({ id: credential.id })).toMatchObject({ notes: 'rotated yesterday' });
    expect(await auditCount()).toBe(before);
  });

  it('refuses bad input by field, and another user’s credential, writing nothing', async () => {
    const user = await signIn('user');
    const own = await create(user, await makeClient('user'), secrets.owned);
    const foreign = await create(await signIn('otherUser'), await makeClient('otherUser'), secrets.foreign);
    const before = await auditCount();
    await expect(user.credentials.update.mutate({ id: own.id, label: ' ' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { label: ['is required'] } },
    });
    await expect(user.credentials.update.mutate({ id: own.id, url: 'mailto:x@example.com' })).rejects.toMatchObject(
      badRequestOn('url'),
    );
    await expect(user.credentials.update.mutate({ id: own.id, value: '' })).rejects.toMatchObject(
      badRequestOn('value'),
    );
    await expect(
      user.credentials.update.mutate({ id: foreign.id, notes: 'mine now', value: 'stolen' }),
    ).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await auditCount()).toBe(before);
    expect((await stored(foreign.id))?.decrypted).toBe(secrets.foreign);
    expect(await (await signIn('admin')).credentials.get.query({ id: own.id })).toMatchObject({ label: own.label });
  });
});

describe('credentials.delete', () => {
  it('soft-deletes, audits one "delete", and the credential is gone for every procedure', async () => {
    const user = await signIn('user');
    const clientId = await makeClient('user');
    const credential = await create(user, clientId, secrets.owned);
    expect(await user.credentials.delete.mutate({ id: credential.id })).toEqual({ id: credential.id });
    expect(await auditRowsOf(credential.id)).toEqual([auditBy('create', 'user'), auditBy('delete', 'user')]);

    const before = await auditCount();
    const notFound = { data: { code: 'NOT_FOUND' } };
    await expect(user.credentials.get.query({ id: credential.id })).rejects.toMatchObject(notFound);
    await expect(user.credentials.reveal.mutate({ id: credential.id })).rejects.toMatchObject(notFound);
    await expect(user.credentials.update.mutate({ id: credential.id, notes: 'x' })).rejects.toMatchObject(notFound);
    await expect(user.credentials.delete.mutate({ id: credential.id })).rejects.toMatchObject(notFound);
    expect(await user.credentials.list.query({ clientId })).toEqual([]);
    expect(await auditCount()).toBe(before);
    // The row and its history stay for the audit views.
    const { rows } = await api.db.query('SELECT deleted_at FROM credentials WHERE uuid = $1', [credential.id]);
    expect(rows[0]?.deleted_at).toBeInstanceOf(Date);
  });

  it("refuses a user another user's credential, deleting nothing", async () => {
    const foreign = await create(await signIn('otherUser'), await makeClient('otherUser'), secrets.foreign);
    const before = await auditCount();
    await expect((await signIn('user')).credentials.delete.mutate({ id: foreign.id })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect(await auditCount()).toBe(before);
    expect((await (await signIn('manager')).credentials.get.query({ id: foreign.id })).id).toBe(foreign.id);
  });
});
