/**
 * Sample data: loads postgresql_mini_crm_sample_data.sql, encrypting its credentials with the given key.
 */
import { readFile } from 'node:fs/promises';
import { inTransaction, sampleDataFile, withClient } from './migrate.ts';

/**
 * The development key the sample credentials are encrypted with when no key is configured. It is
 * public (it is in this file, the README and the sample data): never use it for real secrets.
 */
export const demoEncryptionKey = 'mini-crm-demo-key-not-for-production';

/** The sample data's sign-in accounts (one per role); every sample account's password is demoPassword. */
export const demoAccounts = ['admin@example.com', 'manager@example.com', 'user@example.com'] as const;
export const demoPassword = 'demo-password';

/** Loads the sample data in one transaction; the key travels as a bind parameter only. */
export async function loadSampleData(url: string, encryptionKey = demoEncryptionKey): Promise<void> {
  const sql = await readFile(sampleDataFile, 'utf8');
  await withClient(url, (client) =>
    inTransaction(client, async () => {
      await client.query("SELECT set_config('app.encryption_key', $1, true)", [encryptionKey]);
      await client.query(sql);
    }),
  );
}

/** Loads the sample data into a database that has no users yet; true when it did. */
export async function seedIfEmpty(url: string, encryptionKey = demoEncryptionKey): Promise<boolean> {
  const isEmpty = await withClient(url, async (client) => {
    const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM users) AS empty');
    return rows[0]?.empty ?? false;
  });
  if (isEmpty) await loadSampleData(url, encryptionKey);
  return isEmpty;
}
