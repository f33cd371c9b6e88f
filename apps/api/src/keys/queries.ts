/**
 * SQL of the key check at start and of the key rotation. Keys travel only as bind parameters, and
 * every decryption happens inside PostgreSQL: no plaintext reaches this process.
 */
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { Count } from '../rows.ts';
import { limitOf } from '../sql-fragments.ts';
import type { KeyVersion } from './keyring.ts';

// Any constant works; it keeps two instances starting at once from registering one version twice.
const keyCheckLockId = 4_722_004;

/** Holds until the transaction ends: one key check (and verifier registration) at a time. */
export const lockKeyCheck = (db: CommonQueryMethods) =>
  db.query(sql.unsafe`/* keys.lockCheck */ SELECT pg_advisory_xact_lock(${keyCheckLockId})`);

const MatchRow = z.object({ matches: z.boolean().nullable() });

/** Whether the key opens the version's verifier; null when the version has none yet. */
export const verifierMatches = async (db: CommonQueryMethods, { version, key }: KeyVersion) =>
  (
    await db.maybeOne(sql.type(MatchRow)`
      /* keys.verifierMatches */
      SELECT credential_key_matches(verifier, ${key}) AS matches
      FROM encryption_key_versions WHERE version = ${version}
    `)
  )?.matches ?? null;

/**
 * Whether the key decrypts the first stored value recorded at this version (deleted credentials
 * included); null when there is none. The check for a version that has no verifier yet.
 */
export const credentialMatches = async (db: CommonQueryMethods, { version, key }: KeyVersion) =>
  (
    await db.maybeOne(sql.type(MatchRow)`
      /* keys.credentialMatches */
      SELECT credential_key_matches(encrypted_value, ${key}) AS matches
      FROM credentials WHERE key_version = ${version} AND encrypted_value IS NOT NULL
      ORDER BY id LIMIT 1
    `)
  )?.matches ?? null;

/** Stores the version's verifier: a fixed text encrypted with its key (never the key, nor a hash of it). */
export const insertVerifier = (db: CommonQueryMethods, { version, key }: KeyVersion) =>
  db.query(sql.unsafe`
    /* keys.insertVerifier */
    INSERT INTO encryption_key_versions (version, verifier)
    VALUES (${version}, encrypt_credential_value('mini-crm encryption key check', ${key}))
  `);

const VersionCountRow = z.object({ key_version: z.number().int(), count: Count });

/** How many credentials (deleted ones included) each key version encrypts, by version. */
export const countCredentialsByVersion = async (db: CommonQueryMethods) =>
  new Map(
    (
      await db.any(sql.type(VersionCountRow)`
        /* keys.countByVersion */
        SELECT key_version, count(*) AS count FROM credentials GROUP BY key_version ORDER BY key_version
      `)
    ).map((row) => [row.key_version, row.count]),
  );

const IdRow = z.object({ id: z.number().int() });

/** users.id of the account with this e-mail (any letter case), active or not. */
export const findUserId = (db: CommonQueryMethods, email: string) =>
  db.maybeOneFirst(sql.type(IdRow)`/* keys.findUser */ SELECT id FROM users WHERE lower(email) = lower(${email})`);

const UuidRow = z.object({ uuid: z.uuid() });

/**
 * Re-encrypts up to `limit` credentials at version `from` with the key of `to`, in PostgreSQL:
 * the plaintext exists only inside this statement. Rows another transaction holds (a reveal, an
 * edit) are skipped and left for a later batch. The audit trigger writes one 'update' per row.
 * Raises MC002, changing nothing, when a value does not decrypt with the old key.
 */
export const reencryptBatch = (db: CommonQueryMethods, from: KeyVersion, to: KeyVersion, limit: number) =>
  db.anyFirst(sql.type(UuidRow)`
    /* keys.reencryptBatch */
    WITH batch AS (
      SELECT id FROM credentials WHERE key_version = ${from.version}
      ORDER BY id ${limitOf(limit)}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE credentials cd
    SET encrypted_value = encrypt_credential_value(decrypt_credential_value(cd.encrypted_value, ${from.key}), ${to.key}),
        key_version = ${to.version}
    FROM batch WHERE cd.id = batch.id
    RETURNING cd.uuid
  `);

/** Credentials at the version whose value the key does not decrypt (to name them when a batch fails). */
export const findUndecryptable = (db: CommonQueryMethods, { version, key }: KeyVersion, limit: number) =>
  db.anyFirst(sql.type(UuidRow)`
    /* keys.findUndecryptable */
    SELECT uuid FROM credentials
    WHERE key_version = ${version} AND NOT credential_key_matches(encrypted_value, ${key})
    ORDER BY id ${limitOf(limit)}
  `);
