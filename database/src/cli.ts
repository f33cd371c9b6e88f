/**
 * `pnpm db <command>`: the database by hand. Uses DATABASE_URL when set, else the embedded server
 * (started for the command and stopped after it, unless the command is `start`).
 */
import { parseArgs } from 'node:util';
import { databaseName, defaultDataDir, serverUrl, startEmbeddedPostgres } from './embedded.ts';
import { DatabaseEnv, withoutEmptyValues } from './env.ts';
import { migrate, withClient } from './migrate.ts';
import { openDatabase } from './open.ts';
import { appRoleName, appRoleUrl, enableAppLogin, newAppPassword } from './roles.ts';
import { describeSizes, loadScaleData, scaleDatabaseName, scaleSizes } from './scale.ts';
import { loadSampleData, seedIfEmpty } from './seed.ts';
import { describeAuditReport, verifyAuditChain } from './verify-audit.ts';

const usage = `Usage: pnpm db <command>

  migrate   apply pending migrations
  seed      load the sample data into a database that has no users yet
  reset     embedded only: delete the database, migrate and load the sample data again
  start     embedded only: run the server in the foreground (for psql and other tools); Ctrl-C stops it
  url       print the connection URL
  scale [--scale F]
            fill a database with years of work for measuring: F = 1 (the default) is 200 users,
            100,000 clients, 1,000,000 tasks, 50,000 credentials and 2,000,000 audit rows; 0.2 a fifth.
            Embedded: the separate database ${scaleDatabaseName}, made anew; DATABASE_URL: that
            database, which must have no users yet
  verify-audit
            walk the credential audit log's hash chain; exit 1 naming the first broken row
  app-login give the API's role (${appRoleName}) a new password and print its URL, for
            CRM_APP_DATABASE_URL (the embedded server does this by itself at every start)

DATABASE_URL set: those commands act on that server. Unset: on the embedded server in CRM_DATA_DIR
(default ${defaultDataDir}) on 127.0.0.1:CRM_DB_PORT.`;

const say = (line: string) => console.log(`[db] ${line}`);

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean' }, scale: { type: 'string' } },
  });
  const command = positionals[0];
  if (values.help || !command || command === 'help') {
    console.log(usage);
    return;
  }
  const env = DatabaseEnv.parse(withoutEmptyValues(process.env));
  const embedded = { dataDir: env.CRM_DATA_DIR, port: env.CRM_DB_PORT, log: say };
  const isEmbedded = !env.DATABASE_URL;
  const requireEmbedded = () => {
    if (!isEmbedded) throw new Error(`"${command}" works on the embedded server only; unset DATABASE_URL.`);
  };

  switch (command) {
    case 'url': {
      console.log(env.DATABASE_URL ?? serverUrl(env.CRM_DB_PORT, databaseName));
      return;
    }
    case 'migrate': {
      const db = await openDatabase({ databaseUrl: env.DATABASE_URL, embedded, log: say });
      await db.stop();
      return;
    }
    case 'seed': {
      const db = await openDatabase({ databaseUrl: env.DATABASE_URL, embedded, log: say });
      try {
        const loaded = await seedIfEmpty(db.url, env.CRM_ENCRYPTION_KEY);
        say(loaded ? 'loaded the sample data' : 'the database already has users: sample data not loaded');
      } finally {
        await db.stop();
      }
      return;
    }
    case 'reset': {
      requireEmbedded();
      const server = await startEmbeddedPostgres(embedded);
      try {
        await withClient(server.adminUrl, async (client) => {
          await client.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
          await client.query(`CREATE DATABASE ${databaseName}`);
        });
        await migrate(server.url);
        await loadSampleData(server.url, env.CRM_ENCRYPTION_KEY);
        say('database reset: schema migrated, sample data loaded');
      } finally {
        await server.stop();
      }
      return;
    }
    case 'scale': {
      const sizes = scaleSizes(Number(values.scale ?? '1'));
      const server = isEmbedded ? await startEmbeddedPostgres(embedded) : null;
      try {
        let url = env.DATABASE_URL ?? '';
        if (server) {
          // A database of its own: the development data stays, and this one can be thrown away.
          await withClient(server.adminUrl, async (client) => {
            await client.query(`DROP DATABASE IF EXISTS ${scaleDatabaseName} WITH (FORCE)`);
            await client.query(`CREATE DATABASE ${scaleDatabaseName}`);
          });
          url = serverUrl(server.port, scaleDatabaseName);
        }
        await migrate(url);
        say(`loading ${describeSizes(sizes)}`);
        const timings = await loadScaleData(url, sizes, env.CRM_ENCRYPTION_KEY);
        say(`loaded in ${timings.load} s, then VACUUM ANALYZE in ${timings.vacuum} s`);
        if (server) say(`the scale database: ${url}`);
      } finally {
        await server?.stop();
      }
      return;
    }
    case 'verify-audit': {
      // Read-only: no migration, no sample data.
      const server = isEmbedded ? await startEmbeddedPostgres(embedded) : null;
      try {
        const report = await verifyAuditChain(server?.url ?? env.DATABASE_URL ?? '');
        for (const line of describeAuditReport(report)) say(line);
        if (report.firstBroken) process.exitCode = 1;
      } finally {
        await server?.stop();
      }
      return;
    }
    case 'app-login': {
      const db = await openDatabase({ databaseUrl: env.DATABASE_URL, embedded, log: say });
      try {
        if (isEmbedded) {
          console.log(db.appUrl);
          return;
        }
        // A new password each time: an API still signed in with the old one keeps its connections
        // until it restarts, and new connections need the new URL.
        const password = newAppPassword();
        await enableAppLogin(db.url, password);
        say(`${appRoleName} may sign in; give the API this URL as CRM_APP_DATABASE_URL:`);
        console.log(appRoleUrl(db.url, password));
      } finally {
        await db.stop();
      }
      return;
    }
    case 'start': {
      requireEmbedded();
      const db = await openDatabase({ embedded, seed: true, encryptionKey: env.CRM_ENCRYPTION_KEY, log: say });
      say(`ready: ${db.url}   (psql "${db.url}")   Ctrl-C stops it`);
      await new Promise<void>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
      });
      await db.stop();
      say('stopped');
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main().catch((error: unknown) => {
  console.error(`[db] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
