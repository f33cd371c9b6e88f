/**
 * Entry: configuration → database (embedded unless DATABASE_URL) → key check → HTTP server, and the
 * connection that listens for session changes (auth/session-cache.ts). SIGINT and SIGTERM close the
 * server, that connection, the pool and the embedded PostgreSQL, in that order.
 */
import { openDatabase } from '@mini-crm/database';
import { SessionCache } from './auth/session-cache.ts';
import { createDatabasePool } from './db.ts';
import { ConfigError, loadConfig } from './env.ts';
import { loggableError } from './errors.ts';
import { checkEncryptionKeysAt } from './keys/check.ts';
import { buildServer } from './server.ts';

async function main() {
  const config = loadConfig();
  const say = (line: string) => console.log(`[api] ${line}`);
  if (config.isUsingDemoKey) {
    console.warn(
      '[api] WARNING: CRM_ENCRYPTION_KEY is not set: credentials are encrypted with the PUBLIC demo key. ' +
        'Set CRM_ENCRYPTION_KEY before storing real secrets.',
    );
  }

  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    appDatabaseUrl: config.CRM_APP_DATABASE_URL,
    seed: config.NODE_ENV !== 'production',
    encryptionKey: config.encryptionKey,
    embedded: { dataDir: config.CRM_DATA_DIR, port: config.CRM_DB_PORT },
    log: say,
  });
  for (const warning of database.warnings) console.warn(`[api] WARNING: ${warning}`);
  // A wrong key stops the start here, in every environment, before anything is encrypted with it.
  try {
    const keyCheck = await checkEncryptionKeysAt(database.url, config.encryptionKeys, {
      isUsingDemoKey: config.isUsingDemoKey,
    });
    for (const warning of keyCheck.warnings) console.warn(`[api] WARNING: ${warning}`);
    for (const note of keyCheck.notes) say(note);
  } catch (error) {
    await database.stop();
    throw error;
  }
  // Requests run as mini_crm_app, which owns nothing (README: "The API's database role").
  const pool = await createDatabasePool(database.appUrl);
  const sessions = new SessionCache();
  // Readable lines while developing; JSON (one object per line, for log collectors) otherwise.
  const transport =
    config.NODE_ENV === 'development'
      ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } }
      : undefined;
  const app = await buildServer({
    pool,
    sessions,
    encryptionKey: config.encryptionKeys,
    showDemoAccounts: config.NODE_ENV === 'development',
    logger: { level: config.LOG_LEVEL, ...(transport && { transport }) },
    trustProxy: config.trustProxy,
  });
  sessions.listen(database.appUrl, (message, detail) => app.log.warn(detail ?? {}, message));

  let isClosing = false;
  const close = async (signal: string) => {
    if (isClosing) return;
    isClosing = true;
    say(`${signal}: shutting down`);
    await app.close();
    await sessions.stop();
    await pool.end();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', close);
  process.on('SIGTERM', close);

  await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((error: unknown) => {
  // Never an error object whole: a failed query carries its parameters, and some are keys.
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? loggableError(error) : error);
  process.exit(1);
});
