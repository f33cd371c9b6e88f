/**
 * The database the benchmark measures: the scale set (`pnpm db:scale`, database mini_crm_scale on
 * the embedded server) or, with --quick, a twentieth of it in a database of its own
 * (mini_crm_scale_quick), so that a quick run never replaces the full set. Either is loaded here
 * when it has no users yet, and reused after. With DATABASE_URL, that database is used.
 */
import {
  DatabaseEnv,
  demoEncryptionKey,
  describeSizes,
  loadScaleData,
  type OpenDatabase,
  openDatabase,
  scaleDatabaseName,
  scaleSizes,
  withClient,
  withoutEmptyValues,
} from '@mini-crm/database';

export const quickDatabaseName = `${scaleDatabaseName}_quick`;
export const quickScale = 0.05;

/**
 * The key of the sets the benchmark loads itself when CRM_ENCRYPTION_KEY is unset. Not the demo key,
 * which the API refuses in production; not secret either: the secrets of a scale set are made up.
 */
export const benchEncryptionKey = 'mini-crm-bench-key-not-secret';

export type BenchDatabase = OpenDatabase & {
  name: string;
  /** The key the set's credentials open with: what the API is started with. */
  encryptionKey: string;
  counts: { users: number; clients: number; tasks: number };
};

export async function openBenchDatabase(isQuick: boolean, log: (line: string) => void): Promise<BenchDatabase> {
  const env = DatabaseEnv.parse(withoutEmptyValues(process.env));
  const name = isQuick ? quickDatabaseName : scaleDatabaseName;
  const db = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    appDatabaseUrl: env.CRM_APP_DATABASE_URL,
    embedded: { dataDir: env.CRM_DATA_DIR, port: env.CRM_DB_PORT, database: name, log },
    log,
  });
  for (const warning of db.warnings) log(`WARNING ${warning}`);
  try {
    let counts = await countRows(db.url);
    if (counts.users === 0) {
      const sizes = scaleSizes(isQuick ? quickScale : 1);
      log(`loading ${describeSizes(sizes)} into ${env.DATABASE_URL ? 'DATABASE_URL' : name} (once; reused after)`);
      const timings = await loadScaleData(db.url, sizes, env.CRM_ENCRYPTION_KEY ?? benchEncryptionKey);
      log(`loaded in ${timings.load} s, VACUUM ANALYZE ${timings.vacuum} s`);
      counts = await countRows(db.url);
    }
    const candidates = [env.CRM_ENCRYPTION_KEY, benchEncryptionKey, demoEncryptionKey].filter(
      (key): key is string => key !== undefined,
    );
    const encryptionKey = await findKey(db.url, candidates);
    if (!encryptionKey) {
      throw new Error(
        `the credentials of ${name} open with none of the keys tried: set CRM_ENCRYPTION_KEY to the key it was loaded with`,
      );
    }
    return { ...db, name, encryptionKey, counts };
  } catch (error) {
    await db.stop();
    throw error;
  }
}

function countRows(url: string) {
  return withClient(url, async (client) => {
    // Estimates would do for the tables; the users decide whether the set is loaded, so they are exact.
    const { rows } = await client.query<{ users: number; clients: number; tasks: number }>(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM clients)::int AS clients,
              (SELECT count(*) FROM tasks)::int AS tasks`,
    );
    return rows[0] ?? { users: 0, clients: 0, tasks: 0 };
  });
}

/**
 * The first key that opens version 1's check value, or its first credential when it has none yet:
 * what the API's key check at start (apps/api/src/keys/check.ts) will accept. Keys are bind parameters.
 */
function findKey(url: string, candidates: string[]) {
  return withClient(url, async (client) => {
    for (const key of candidates) {
      const { rows } = await client.query<{ matches: boolean | null }>(
        `SELECT credential_key_matches(COALESCE(
           (SELECT verifier FROM encryption_key_versions WHERE version = 1),
           (SELECT encrypted_value FROM credentials WHERE key_version = 1 AND encrypted_value IS NOT NULL ORDER BY id LIMIT 1)
         ), $1) AS matches`,
        [key],
      );
      if (rows[0]?.matches !== false) return key;
    }
    return null;
  });
}
