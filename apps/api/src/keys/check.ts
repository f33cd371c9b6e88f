/**
 * The key check that runs before the API serves (and before a rotation): each configured key must
 * be the key its version was first used with. A wrong key would make every credential of that version
 * unreadable and, for the current version, encrypt new values under a key nobody expects; so it
 * stops the start in every environment, naming the variable and the version, never the key.
 *
 * A version is known by its verifier (encryption_key_versions). One that has none yet is checked
 * against a credential it encrypted, if any, and the current version's verifier is written then.
 */
import type { DatabasePool } from 'slonik';
import { createDatabasePool } from '../db.ts';
import { ConfigError } from '../env.ts';
import type { EncryptionKeys, KeyVersion } from './keyring.ts';
import {
  countCredentialsByVersion,
  credentialMatches,
  insertVerifier,
  lockKeyCheck,
  verifierMatches,
} from './queries.ts';

export type KeyCheckReport = {
  /** How many credentials each key version encrypts. */
  countsByVersion: Map<number, number>;
  /** Secrets that cannot be revealed with this configuration. */
  warnings: string[];
  /** What the operator may do next (a rotation to run, an old key to drop). */
  notes: string[];
};

export type KeyCheckOptions = {
  /** CRM_ENCRYPTION_KEY is unset and the public demo key stands in for it (development). */
  isUsingDemoKey?: boolean;
};

export function checkEncryptionKeys(
  pool: DatabasePool,
  keys: EncryptionKeys,
  options: KeyCheckOptions = {},
): Promise<KeyCheckReport> {
  return pool.transaction(async (tx) => {
    await lockKeyCheck(tx);
    // Older versions first: a wrong old key stops the check before the current version registers.
    for (const entry of [...keys.previous, keys.current]) {
      const isCurrent = entry === keys.current;
      let matches = await verifierMatches(tx, entry);
      let evidence = `the check value stored for version ${entry.version} does not decrypt with it`;
      if (matches === null) {
        matches = await credentialMatches(tx, entry);
        evidence = `the credentials recorded at version ${entry.version} do not decrypt with it`;
        // An unused older version gets no verifier: nothing shows that the key is that version's.
        if (matches === true || (matches === null && isCurrent)) await insertVerifier(tx, entry);
      }
      if (matches === false) throw new ConfigError(wrongKeyMessage(entry, isCurrent, evidence, options));
    }
    const countsByVersion = await countCredentialsByVersion(tx);
    return { countsByVersion, ...adviceFor(keys, countsByVersion) };
  });
}

/**
 * The check at start, on a connection of its own to `ownerUrl`: writing a version's verifier is
 * maintenance, like a migration, so the role the API serves requests with needs no right to it.
 */
export async function checkEncryptionKeysAt(ownerUrl: string, keys: EncryptionKeys, options: KeyCheckOptions = {}) {
  const pool = await createDatabasePool(ownerUrl, { maximumPoolSize: 1 });
  try {
    return await checkEncryptionKeys(pool, keys, options);
  } finally {
    await pool.end();
  }
}

function wrongKeyMessage(entry: KeyVersion, isCurrent: boolean, evidence: string, options: KeyCheckOptions) {
  const which = !isCurrent
    ? `CRM_PREVIOUS_ENCRYPTION_KEYS: the key given for version ${entry.version}`
    : options.isUsingDemoKey
      ? `CRM_ENCRYPTION_KEY is not set, and the public demo key standing in for it (version ${entry.version})`
      : `CRM_ENCRYPTION_KEY (version ${entry.version}, CRM_ENCRYPTION_KEY_VERSION)`;
  return (
    `Wrong encryption key: ${which} is not the key that version ${entry.version} was first used with ` +
    `(${evidence}). Set that version's key; a new key takes a new version and a rotation ` +
    '(README: "Key rotation"). Neither the API nor rotate-key runs with a wrong key, in any environment.'
  );
}

function adviceFor(keys: EncryptionKeys, countsByVersion: Map<number, number>) {
  const warnings: string[] = [];
  const notes: string[] = [];
  const configured = new Set([keys.current.version, ...keys.previous.map((entry) => entry.version)]);
  for (const [version, count] of countsByVersion) {
    if (!configured.has(version)) {
      warnings.push(
        `${count} credential(s) are encrypted with key version ${version}, which is not configured: revealing ` +
          `them fails (412) until CRM_PREVIOUS_ENCRYPTION_KEYS holds "${version}:<key>".`,
      );
    }
  }
  for (const { version } of keys.previous) {
    const count = countsByVersion.get(version) ?? 0;
    notes.push(
      count > 0
        ? `${count} credential(s) still use key version ${version}: \`pnpm crm rotate-key --as <admin e-mail>\` ` +
            `re-encrypts them with version ${keys.current.version}.`
        : `no credential uses key version ${version} any more: remove it from CRM_PREVIOUS_ENCRYPTION_KEYS.`,
    );
  }
  return { warnings, notes };
}
