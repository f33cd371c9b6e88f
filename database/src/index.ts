export {
  databaseName,
  defaultDataDir,
  defaultEmbeddedPort,
  isAlive,
  repoRoot,
  serverUrl,
  startEmbeddedPostgres,
} from './embedded.ts';
export { DatabaseEnv, withoutEmptyValues } from './env.ts';
export { checksumOf, loadMigrations, MigrationError, migrate, withClient } from './migrate.ts';
export { type OpenDatabase, type OpenOptions, openDatabase } from './open.ts';
export { demoEncryptionKey, loadSampleData, seedIfEmpty } from './seed.ts';
