/**
 * The database settings read from the environment, shared by the CLI and the API's env.ts so that
 * both read them the same way. Parse `withoutEmptyValues(process.env)`: an empty variable is unset.
 */
import { z } from 'zod';
import { defaultEmbeddedPort } from './embedded.ts';

export const DatabaseEnv = z.object({
  /** Any PostgreSQL 12+; unset: the embedded server. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * With DATABASE_URL: the URL the API serves requests with, signed in as mini_crm_app (`pnpm db
   * app-login` prints one). Unset: the API uses DATABASE_URL, the owner, and warns at start.
   */
  CRM_APP_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Where the embedded server keeps its data (default: <repo>/.data). */
  CRM_DATA_DIR: z.string().optional(),
  /** The embedded server's port on 127.0.0.1. */
  CRM_DB_PORT: z.coerce.number().int().min(1).max(65_535).default(defaultEmbeddedPort),
  /** The credential encryption key; unset: the public demo key (development only). */
  CRM_ENCRYPTION_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
});
export type DatabaseEnv = z.infer<typeof DatabaseEnv>;

export const withoutEmptyValues = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
