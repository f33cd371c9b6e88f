/**
 * The encryption keys the API holds: the current version, which encrypts every new or changed value,
 * and the older versions still needed to decrypt credentials a rotation has not reached yet. Each
 * credential records its version (credentials.key_version); the key of that version decrypts it.
 */

export type KeyVersion = { version: number; key: string };

export type EncryptionKeys = {
  current: KeyVersion;
  /** Older versions, still configured while credentials use them (CRM_PREVIOUS_ENCRYPTION_KEYS). */
  previous: readonly KeyVersion[];
};

/** The key that decrypts a credential recorded at `version`, or undefined when it is not configured. */
export function keyForVersion(keys: EncryptionKeys, version: number): string | undefined {
  if (version === keys.current.version) return keys.current.key;
  return keys.previous.find((candidate) => candidate.version === version)?.key;
}

/** A bare key is version 1 alone: what a server built without key versions (tests, say) means. */
export const asEncryptionKeys = (keys: string | EncryptionKeys): EncryptionKeys =>
  typeof keys === 'string' ? { current: { version: 1, key: keys }, previous: [] } : keys;
