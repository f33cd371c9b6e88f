/**
 * `pnpm crm <command>`: the API's maintenance commands. They read the same configuration as the API
 * (env.ts), keys included: a key is never an argument, since arguments show in `ps` and shell history.
 * DATABASE_URL set: that server; unset: the embedded one (shared with a running `pnpm dev`).
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '@mini-crm/database';
import { createDatabasePool } from './db.ts';
import { ConfigError, loadConfig } from './env.ts';
import { loggableError } from './errors.ts';
import { RotationError, rotateKeys } from './keys/rotate.ts';

const usage = `Usage: pnpm crm <command>

  rotate-key --as <admin e-mail> [--batch-size 100] [--max-batches N]
      re-encrypt every credential still at an older key version with CRM_ENCRYPTION_KEY
      (version CRM_ENCRYPTION_KEY_VERSION); the older keys come from CRM_PREVIOUS_ENCRYPTION_KEYS.
      Each batch is one transaction; run it again after an interruption to finish.
      --as          the active admin the audit rows name
      --batch-size  credentials per transaction (default 100)
      --max-batches stop after this many batches (the next run goes on)

README: "Key rotation".`;

const say = (line: string) => console.log(`[crm] ${line}`);

class UsageError extends Error {
  override name = 'UsageError';
}

const positiveInteger = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a whole number from 1\n\n${usage}`);
  return Number(value);
};

function parseArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        as: { type: 'string' },
        'batch-size': { type: 'string' },
        'max-batches': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    // An unknown option (say an attempt to pass a key) is named; its value is not repeated.
    throw new UsageError(`${(error as Error).message.split('.')[0]}\n\n${usage}`);
  }
}

async function main() {
  const { positionals, values } = parseArguments();
  const command = positionals[0];
  if (values.help || !command || command === 'help') {
    console.log(usage);
    return;
  }
  if (command !== 'rotate-key') throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  if (positionals.length > 1) {
    throw new UsageError('rotate-key takes options only: keys come from the environment, never from arguments');
  }
  if (!values.as) throw new UsageError(`rotate-key needs --as <admin e-mail>\n\n${usage}`);

  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    embedded: { dataDir: config.CRM_DATA_DIR, port: config.CRM_DB_PORT },
    log: say,
  });
  const pool = await createDatabasePool(database.url, { maximumPoolSize: 2 });
  try {
    await rotateKeys(pool, config.encryptionKeys, {
      actorEmail: values.as,
      batchSize: positiveInteger('batch-size', values['batch-size']) ?? 100,
      maxBatches: positiveInteger('max-batches', values['max-batches']),
      isUsingDemoKey: config.isUsingDemoKey,
      log: say,
    });
  } finally {
    await pool.end();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const isExpected = error instanceof ConfigError || error instanceof RotationError || error instanceof UsageError;
  if (isExpected) console.error(`[crm] ${error.message}`);
  // Never the error object whole: a failed query carries its parameters, and those are keys.
  else console.error('[crm] failed:', error instanceof Error ? loggableError(error) : String(error));
  process.exitCode = 1;
});
