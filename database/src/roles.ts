/**
 * The API's own database role, mini_crm_app (created NOLOGIN by postgresql_mini_crm_003_hardening.sql,
 * with only the privileges the API needs): giving it a password, building its connection URL, and
 * telling which role a URL really signs in as, so the app can warn when it runs as the schema's owner.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withClient } from './migrate.ts';

export const appRoleName = 'mini_crm_app';

/** Where the embedded server keeps the role's password: in CRM_DATA_DIR, readable by its owner only. */
export const appPasswordFileName = 'app-role.password';

/** 24 random bytes, URL-safe: usable in a connection URL as it is. */
export const newAppPassword = () => randomBytes(24).toString('base64url');

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, PostgreSQL's format).
 * ALTER ROLE gets this instead of the password, so the password never reaches the server, its logs
 * or pg_stat_activity; PostgreSQL stores a verifier it is given as it is.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Lets mini_crm_app sign in with `password`. Needs a role that may alter roles (the embedded superuser). */
export async function enableAppLogin(ownerUrl: string, password: string): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    // A utility statement takes no bind parameters; the verifier is base64 and '$', quoted anyway.
    await client.query(`ALTER ROLE ${appRoleName} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
  });
}

/** The same server and database, signed in as mini_crm_app. */
export function appRoleUrl(url: string, password: string): string {
  const appUrl = new URL(url);
  appUrl.username = appRoleName;
  appUrl.password = password;
  return appUrl.toString();
}

/**
 * The embedded server: the role's password is made once and kept in CRM_DATA_DIR (mode 0600), and
 * set again at every start, so a reset database or a new cluster in the same folder keeps working.
 */
export async function enableEmbeddedAppLogin(ownerUrl: string, dataDir: string): Promise<string> {
  const file = join(dataDir, appPasswordFileName);
  let password = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!password) {
    password = newAppPassword();
    try {
      await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process starting on the same folder wrote it first: use that one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      password = (await readFile(file, 'utf8')).trim();
    }
  }
  await enableAppLogin(ownerUrl, password);
  return appRoleUrl(ownerUrl, password);
}

export type ConnectionRole = {
  name: string;
  isSuperuser: boolean;
  /** It owns tables of the schema: it may alter or drop them, and disable their triggers. */
  ownsTables: boolean;
};

/** Who `url` signs in as, and whether that role is more than the API should be. */
export function describeConnectionRole(url: string): Promise<ConnectionRole> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<ConnectionRole>(
      `SELECT r.rolname AS name, r.rolsuper AS "isSuperuser",
              EXISTS (SELECT FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
                AS "ownsTables"
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const row = rows[0];
    if (!row) throw new Error('could not read the connection role');
    return row;
  });
}

/** Why the API should not run as this role, or null when it is fine. */
export function appRoleWarning(role: ConnectionRole, variable: string): string | null {
  if (!role.isSuperuser && !role.ownsTables) return null;
  const what = role.isSuperuser ? 'a superuser' : "the owner of the schema's tables";
  return (
    `the API connects (${variable}) as "${role.name}", ${what}: it could alter or drop the tables and switch off ` +
    `the audit log's protections. Give it the ${appRoleName} role: pnpm db app-login (README, "The API's database role").`
  );
}
