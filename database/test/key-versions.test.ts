/**
 * Migration 004: credentials record their key version (1 for every value written before versions
 * existed), and credential_key_matches() answers whether a key opens a value without aborting the
 * transaction, which is what the app's key check needs.
 */
import { describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import { insertClient, insertCredential, one, sqlError, testKey } from './rows.ts';

const db = useTestDatabase();

describe('credentials.key_version', () => {
  it('is 1 unless written, and only a positive version is accepted', async () => {
    const client = await insertClient(db.pool);
    const credential = await insertCredential(db.pool, { client_id: client.id, secret: 'v1-secret' });
    expect(credential.key_version).toBe(1);
    expect(await sqlError(insertCredential(db.pool, { client_id: client.id, key_version: 0 }))).toMatchObject({
      code: '23514',
      constraint: 'credentials_key_version_positive',
    });
  });
});

describe('credential_key_matches', () => {
  it('is true for the right key, false for another, NULL for no value, and the transaction goes on', async () => {
    const client = await insertClient(db.pool);
    const credential = await insertCredential(db.pool, { client_id: client.id, secret: 'match-me' });
    await inTestTransaction(db.pool, { commit: false }, async (tx) => {
      const match = (data: unknown, key: string) =>
        one<{ matches: boolean | null }>(tx, 'SELECT credential_key_matches($1, $2) AS matches', [data, key]);
      expect(await match(credential.encrypted_value, testKey)).toEqual({ matches: true });
      expect(await match(credential.encrypted_value, 'not the key at all')).toEqual({ matches: false });
      expect(await match(Buffer.from('not pgp data'), testKey)).toEqual({ matches: false });
      expect(await match(null, testKey)).toEqual({ matches: null });
      // A failed match did not abort the transaction.
      expect(await one(tx, 'SELECT 1 AS alive')).toEqual({ alive: 1 });
    });
  });
});
