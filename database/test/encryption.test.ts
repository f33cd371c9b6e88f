import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import { one, type Queryable, sqlError } from './rows.ts';

const db = useTestDatabase();

const key = 'correct horse battery staple';
const decryptionFailed = { code: 'MC002', message: 'credential decryption failed: wrong key or corrupt data' };
const noKey = { code: 'MC001', message: 'no encryption key: pass a key or set app.encryption_key' };

async function encrypt(value: string | null, withKey: string | null = key) {
  const sql = 'SELECT encrypt_credential_value($1, $2) AS data';
  return (await one<{ data: Buffer | null }>(db.pool, sql, [value, withKey])).data;
}

async function decrypt(data: Buffer | null, withKey: string | null = key) {
  const sql = 'SELECT decrypt_credential_value($1, $2) AS value';
  return (await one<{ value: string | null }>(db.pool, sql, [data, withKey])).value;
}

async function encryptWithSetting(on: Queryable, value: string | null) {
  return (await one<{ data: Buffer | null }>(on, 'SELECT encrypt_credential_value($1) AS data', [value])).data;
}

async function decryptWithSetting(on: Queryable, data: Buffer | null) {
  return (await one<{ value: string | null }>(on, 'SELECT decrypt_credential_value($1) AS value', [data])).value;
}

describe('encrypt_credential_value / decrypt_credential_value', () => {
  it('round-trips with the key passed as a bind parameter', async () => {
    for (const secret of ['hunter2', 'p@ss w0rd with spaces', '']) {
      const data = await encrypt(secret);
      expect(data).toBeInstanceOf(Buffer);
      expect(await decrypt(data)).toBe(secret);
    }
  });

  it('round-trips with the key taken from app.encryption_key (the one-argument forms)', async () => {
    const data = await inTestTransaction(
      db.pool,
      { settings: { 'app.encryption_key': key }, commit: false },
      async (client) => {
        const data = await encryptWithSetting(client, 'from-the-setting');
        expect(await decryptWithSetting(client, data)).toBe('from-the-setting');
        return data;
      },
    );
    // The setting's key is the one used: the two-argument form opens it with the same key, and only that one.
    expect(await decrypt(data, key)).toBe('from-the-setting');
    expect(await sqlError(decrypt(data, 'another key'))).toEqual(decryptionFailed);
  });

  it('stores a ciphertext that is not the plaintext, and a different one each time', async () => {
    const secret = 'plain-secret-plain-secret';
    const first = await encrypt(secret);
    const second = await encrypt(secret);
    if (!first || !second) throw new Error('encryption returned NULL');
    expect(first.includes(Buffer.from(secret))).toBe(false);
    expect(first.equals(second)).toBe(false);
    expect(await decrypt(first)).toBe(secret);
    expect(await decrypt(second)).toBe(secret);
    // An OpenPGP symmetric-key packet (tag 3, version 4) naming cipher 9: AES-256.
    expect([...first.subarray(0, 4)]).toEqual([0xc3, 0x0d, 0x04, 0x09]);
  });

  it('fails with MC002 for a wrong key, never returning garbage', async () => {
    const data = await encrypt('the real secret');
    const wrongKeys = [
      'wrong',
      `${key} `,
      key.toUpperCase(),
      key.slice(0, -1),
      ...Array.from({ length: 40 }, (_, n) => `guess-${n}`),
    ];
    for (const wrongKey of wrongKeys) {
      expect(await sqlError(decrypt(data, wrongKey)), `key ${JSON.stringify(wrongKey)}`).toEqual(decryptionFailed);
    }
  });

  it('fails with the same MC002 for corrupt, random, truncated or foreign data', async () => {
    const data = await encrypt('a secret long enough to span several cipher blocks');
    if (!data) throw new Error('encryption returned NULL');
    const flipped = (at: number) => {
      const copy = Buffer.from(data);
      copy[at] = (copy[at] ?? 0) ^ 0xff;
      return copy;
    };
    const binary = await one<{ data: Buffer }>(db.pool, "SELECT pgp_sym_encrypt_bytea('\\x00ff'::bytea, $1) AS data", [
      key,
    ]);
    const bad: Record<string, Buffer> = {
      'a byte flipped in the middle': flipped(Math.floor(data.length / 2)),
      'the last byte flipped': flipped(data.length - 1),
      'the last byte cut off': data.subarray(0, -1),
      'cut in half': data.subarray(0, Math.floor(data.length / 2)),
      'only the header': data.subarray(0, 10),
      empty: Buffer.alloc(0),
      '16 random bytes': randomBytes(16),
      '64 random bytes': randomBytes(64),
      '1000 random bytes': randomBytes(1000),
      'plaintext stored by mistake': Buffer.from('hunter2'),
      'binary (not text) PGP data': binary.data,
    };
    for (const [name, value] of Object.entries(bad)) {
      expect(await sqlError(decrypt(value)), name).toEqual(decryptionFailed);
    }
  });

  it('fails with MC001 in the one-argument forms when no key is configured', async () => {
    const data = await encrypt('needs a key');
    expect(await sqlError(db.pool.query("SELECT encrypt_credential_value('x')"))).toEqual(noKey);
    expect(await sqlError(db.pool.query('SELECT decrypt_credential_value($1)', [data]))).toEqual(noKey);
    // A pooled connection that once set the key transaction-locally reads it back as '' afterwards,
    // not as NULL: that must not become an empty key either.
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.encryption_key', $1, true)", [key]);
      expect(await decryptWithSetting(client, data)).toBe('needs a key');
      await client.query('COMMIT');
      expect(await sqlError(encryptWithSetting(client, 'x'))).toEqual(noKey);
      expect(await sqlError(decryptWithSetting(client, data))).toEqual(noKey);
    } finally {
      client.release();
    }
  });

  it('fails with MC001 in the two-argument forms for a NULL or empty key', async () => {
    const data = await encrypt('needs a key');
    for (const missing of [null, '']) {
      expect(await sqlError(encrypt('x', missing))).toEqual(noKey);
      expect(await sqlError(decrypt(data, missing))).toEqual(noKey);
    }
  });

  it('maps NULL to NULL', async () => {
    expect(await encrypt(null)).toBeNull();
    expect(await decrypt(null)).toBeNull();
    await inTestTransaction(db.pool, { settings: { 'app.encryption_key': key }, commit: false }, async (client) => {
      expect(await encryptWithSetting(client, null)).toBeNull();
      expect(await decryptWithSetting(client, null)).toBeNull();
    });
  });

  it('round-trips unicode and long values exactly', async () => {
    const values = [
      'Pässwörd — 日本語のパスワード — كلمة السر — 🔑🦄',
      'e\u0301 (combining accent) vs \u00e9, zero\u200bwidth, tab\tand\nnewline',
      Array.from({ length: 20_000 }, (_, n) => `${n}:ü🔐`).join('|'),
    ];
    for (const value of values) {
      expect(await decrypt(await encrypt(value))).toBe(value);
    }
    await inTestTransaction(
      db.pool,
      { settings: { 'app.encryption_key': '🔑 ключ' }, commit: false },
      async (client) => {
        expect(await decryptWithSetting(client, await encryptWithSetting(client, values[0] ?? ''))).toBe(values[0]);
      },
    );
  });
});
