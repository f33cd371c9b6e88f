/**
 * One call that gives the app a migrated database: the server at DATABASE_URL when one is set,
 * otherwise the embedded PostgreSQL (started here, with the sample data loaded on first start).
 */
import { type EmbeddedOptions, startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { seedIfEmpty } from './seed.ts';

export type OpenOptions = {
  /** An existing server: migrated, never seeded automatically, never started or stopped here. */
  databaseUrl?: string | undefined;
  /** Embedded only: load the sample data when the database has no users yet. */
  seed?: boolean;
  encryptionKey?: string;
  embedded?: EmbeddedOptions;
  log?: (line: string) => void;
};

export type OpenDatabase = {
  url: string;
  isEmbedded: boolean;
  /** Stops the embedded server; does nothing for DATABASE_URL. */
  stop: () => Promise<void>;
};

export async function openDatabase(options: OpenOptions = {}): Promise<OpenDatabase> {
  const log = options.log ?? (() => {});
  if (options.databaseUrl) {
    await reportMigrations(options.databaseUrl, log);
    return { url: options.databaseUrl, isEmbedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ log, ...options.embedded });
  try {
    log(`embedded PostgreSQL listening on 127.0.0.1:${server.port}`);
    await reportMigrations(server.url, log);
    if (options.seed && (await seedIfEmpty(server.url, options.encryptionKey))) {
      log('loaded the sample data (demo accounts: admin@, manager@, user@example.com, password demo-password)');
    }
    return { url: server.url, isEmbedded: true, stop: server.stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function reportMigrations(url: string, log: (line: string) => void) {
  const applied = await migrate(url);
  log(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
}
