/**
 * SQL of credentials.*. The secret leaves PostgreSQL only through revealCredential, which writes the
 * 'decrypt' audit row in the same call; every other query leaves encrypted_value out (has_value is
 * computed in the database). The plaintext and the key travel only as bind parameters. A stored value
 * records the version of the key that encrypted it (key_version): new values take the current one.
 */
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import type { KeyVersion } from '../keys/keyring.ts';
import { Timestamp } from '../rows.ts';

export const CredentialRow = z.object({
  uuid: z.uuid(),
  client_uuid: z.uuid(),
  label: z.string(),
  username: z.string().nullable(),
  url: z.string().nullable(),
  notes: z.string().nullable(),
  has_value: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type CredentialRow = z.output<typeof CredentialRow>;

const credentialColumns = sql.fragment`
  cd.uuid, cl.uuid AS client_uuid, cd.label, cd.username, cd.url, cd.notes,
  (cd.encrypted_value IS NOT NULL) AS has_value, cd.created_at, cd.updated_at
`;

/** A client's live credentials by label (any letter case; the database collates in C). */
export const listCredentials = (db: CommonQueryMethods, clientId: number) =>
  db.any(sql.type(CredentialRow)`
    /* credentials.list */
    SELECT ${credentialColumns}
    FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
    WHERE cd.client_id = ${clientId} AND cd.deleted_at IS NULL
    ORDER BY lower(cd.label), cd.uuid
  `);

export const findCredential = (db: CommonQueryMethods, id: number) =>
  db.maybeOne(sql.type(CredentialRow)`
    /* credentials.get */
    SELECT ${credentialColumns}
    FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
    WHERE cd.id = ${id} AND cd.deleted_at IS NULL
  `);

/** Writes the 'view' audit row (who, IP, user agent from the transaction's settings). */
export const recordView = (db: CommonQueryMethods, id: number) =>
  db.query(sql.unsafe`/* credentials.view */ SELECT view_credential(${id})`);

export type CredentialFields = {
  label: string;
  username: string | null;
  value: string;
  url: string | null;
  notes: string | null;
};

const IdRow = z.object({ id: z.number().int() });

/** Encrypted with the current key, recording its version; the trigger writes the 'create' audit row. */
export const insertCredential = (
  db: CommonQueryMethods,
  clientId: number,
  fields: CredentialFields,
  current: KeyVersion,
) =>
  db.oneFirst(sql.type(IdRow)`
    /* credentials.create */
    INSERT INTO credentials (client_id, label, username, encrypted_value, key_version, url, notes)
    VALUES (${clientId}, ${fields.label}, ${fields.username},
            encrypt_credential_value(${fields.value}, ${current.key}), ${current.version}, ${fields.url}, ${fields.notes})
    RETURNING id
  `);

export type CredentialChanges = { [K in keyof CredentialFields]?: CredentialFields[K] | undefined };

/**
 * Sets the fields present; the trigger writes one 'update' audit row. A new value is encrypted with
 * the current key, whatever version the old one had. False when the credential was deleted
 * meanwhile. Nothing to change writes nothing (and no audit row).
 */
export async function updateCredential(
  db: CommonQueryMethods,
  id: number,
  changes: CredentialChanges,
  current: KeyVersion,
) {
  const sets = [];
  if (changes.label !== undefined) sets.push(sql.fragment`label = ${changes.label}`);
  if (changes.username !== undefined) sets.push(sql.fragment`username = ${changes.username}`);
  if (changes.value !== undefined)
    sets.push(
      sql.fragment`encrypted_value = encrypt_credential_value(${changes.value}, ${current.key}), key_version = ${current.version}`,
    );
  if (changes.url !== undefined) sets.push(sql.fragment`url = ${changes.url}`);
  if (changes.notes !== undefined) sets.push(sql.fragment`notes = ${changes.notes}`);
  if (sets.length === 0) return true;
  const row = await db.maybeOne(sql.type(IdRow)`
    /* credentials.update */
    UPDATE credentials SET ${sql.join(sets, sql.fragment`, `)}
    WHERE id = ${id} AND deleted_at IS NULL
    RETURNING id
  `);
  return row !== null;
}

const UuidRow = z.object({ uuid: z.uuid() });

/** Soft delete: the history stays, and the trigger logs 'delete'. Null if already deleted. */
export const softDeleteCredential = (db: CommonQueryMethods, id: number) =>
  db.maybeOneFirst(sql.type(UuidRow)`
    /* credentials.delete */
    UPDATE credentials SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL RETURNING uuid
  `);

const KeyVersionRow = z.object({ key_version: z.number().int() });

/**
 * The key version of a live credential, read FOR SHARE: a rotation cannot re-encrypt the value
 * between this read and its decryption in the same transaction (it skips the row, and a later
 * batch takes it). Null when the credential is missing or deleted.
 */
export const lockKeyVersion = (db: CommonQueryMethods, id: number) =>
  db.maybeOneFirst(sql.type(KeyVersionRow)`
    /* credentials.keyVersion */
    SELECT key_version FROM credentials WHERE id = ${id} AND deleted_at IS NULL FOR SHARE
  `);

const RevealRow = z.object({ uuid: z.uuid(), value: z.string().nullable() });

/**
 * Decrypts in PostgreSQL; reveal_credential() writes the 'decrypt' audit row first, in this
 * transaction, and raises MC003 for a deleted credential. value is null when none was stored.
 */
export const revealCredential = (db: CommonQueryMethods, id: number, key: string) =>
  db.one(sql.type(RevealRow)`
    /* credentials.reveal */
    SELECT cd.uuid, reveal_credential(cd.id, ${key}) AS value FROM credentials cd WHERE cd.id = ${id}
  `);
