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
export {
  appRoleName,
  appRoleUrl,
  type ConnectionRole,
  describeConnectionRole,
  enableAppLogin,
  newAppPassword,
} from './roles.ts';
export {
  describeSizes,
  loadScaleData,
  type ScaleSizes,
  type ScaleTimings,
  scaleDatabaseName,
  scaleSizes,
} from './scale.ts';
export { demoAccounts, demoEncryptionKey, demoPassword, loadSampleData, seedIfEmpty } from './seed.ts';
export { type AuditChainReport, type BrokenLink, describeAuditReport, verifyAuditChain } from './verify-audit.ts';
