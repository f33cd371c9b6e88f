/**
 * One call that gives the app a migrated database: the server at DATABASE_URL when one is set,
 * otherwise the embedded PostgreSQL (started here, with the sample data loaded on first start).
 * It hands back two URLs: `url`, the owner's, for migrations and maintenance, and `appUrl`, the one
 * the API serves requests with: the mini_crm_app role, which owns nothing (README, "The API's
 * database role").
 */
import { resolve } from 'node:path';
import { defaultDataDir, type EmbeddedOptions, startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { appRoleName, appRoleWarning, describeConnectionRole, enableEmbeddedAppLogin } from './roles.ts';
import { seedIfEmpty } from './seed.ts';

export type OpenOptions = {
  /** An existing server: migrated, never seeded automatically, never started or stopped here. */
  databaseUrl?: string | undefined;
  /** With databaseUrl: the URL the API signs in with as mini_crm_app (CRM_APP_DATABASE_URL). */
  appDatabaseUrl?: string | undefined;
  /** Embedded only: load the sample data when the database has no users yet. */
  seed?: boolean;
  encryptionKey?: string;
  embedded?: EmbeddedOptions;
  log?: (line: string) => void;
};

export type OpenDatabase = {
  /** The owner's URL: migrations, sample data, maintenance. */
  url: string;
  /** The URL the API serves requests with (mini_crm_app, unless DATABASE_URL comes without CRM_APP_DATABASE_URL). */
  appUrl: string;
  isEmbedded: boolean;
  /** Things an operator should fix, for the app to print at start (the API running as the owner, say). */
  warnings: string[];
  /** Stops the embedded server; does nothing for DATABASE_URL. */
  stop: () => Promise<void>;
};

export async function openDatabase(options: OpenOptions = {}): Promise<OpenDatabase> {
  const log = options.log ?? (() => {});
  if (options.databaseUrl) {
    await reportMigrations(options.databaseUrl, log);
    const appUrl = options.appDatabaseUrl ?? options.databaseUrl;
    const warning = options.appDatabaseUrl
      ? appRoleWarning(await describeConnectionRole(appUrl), 'CRM_APP_DATABASE_URL')
      : `CRM_APP_DATABASE_URL is not set: the API connects with DATABASE_URL, as the role that runs the ` +
        `migrations and owns the tables, so it could alter or drop them and switch off the audit log's ` +
        `protections. Give it the ${appRoleName} role: pnpm db app-login (README, "The API's database role").`;
    return {
      url: options.databaseUrl,
      appUrl,
      isEmbedded: false,
      warnings: warning ? [warning] : [],
      stop: async () => {},
    };
  }
  if (options.appDatabaseUrl) {
    throw new Error('CRM_APP_DATABASE_URL goes with DATABASE_URL: the embedded server signs the API in by itself.');
  }
  const server = await startEmbeddedPostgres({ log, ...options.embedded });
  try {
    log(`embedded PostgreSQL listening on 127.0.0.1:${server.port}`);
    await reportMigrations(server.url, log);
    if (options.seed && (await seedIfEmpty(server.url, options.encryptionKey))) {
      log('loaded the sample data (demo accounts: admin@, manager@, user@example.com, password demo-password)');
    }
    const appUrl = await enableEmbeddedAppLogin(server.url, resolve(options.embedded?.dataDir ?? defaultDataDir));
    return { url: server.url, appUrl, isEmbedded: true, warnings: [], stop: server.stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function reportMigrations(url: string, log: (line: string) => void) {
  const applied = await migrate(url);
  log(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
}
