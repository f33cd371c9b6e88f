/**
 * The vault's promise, checked where secrets usually leak: a whole credential scenario (create,
 * update, reveal, a reveal under a wrong key, `pnpm crm rotate-key`, a reveal under the new key)
 * against a PostgreSQL that logs every statement (log_statement=all, and every duration) and keeps
 * pg_stat_statements, with the app logging at debug. Afterwards no PostgreSQL log line, app or CLI
 * log line, pg_stat_statements or pg_stat_activity query text, or audit row holds a plaintext, the
 * password or a key.
 *
 * Control markers that do travel through each of those places are searched the same way and must
 * be found, so the test fails if it reads the wrong files or views.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { withClient } from '@mini-crm/database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.ts';
import { createCrmClient } from '../src/client.ts';
import { createDatabasePool } from '../src/db.ts';
import type { EncryptionKeys } from '../src/keys/keyring.ts';
import { buildServer } from '../src/server.ts';
import { createDataFolder, type DataFolder, type PostgresProcess, startPostgres } from './postgres-process.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

const secrets = {
  password: `password-${randomUUID()}`,
  encryptionKey: `key-${randomUUID()}`,
  newEncryptionKey: `new-key-${randomUUID()}`,
  wrongKey: `wrong-key-${randomUUID()}`,
  firstValue: `first-plaintext-${randomUUID()}`,
  secondValue: `second-plaintext-${randomUUID()}`,
};
const adminEmail = 'admin@leaks.example.com';

/** How a secret could be spelled in a log: as typed, hex (a bytea literal), base64. */
const spellings = (secret: string) => [
  secret,
  Buffer.from(secret).toString('hex'),
  Buffer.from(secret).toString('base64'),
];

const marker = `control-marker-${randomUUID().slice(0, 8)}`;

type Sources = Record<'postgresLog' | 'appLog' | 'pgStatStatements' | 'pgStatActivity' | 'auditRows', string>;

let sources: Sources;
let isAppLoggingDebug = false;
let rotationExitCode: number | null = null;
let folder: DataFolder | undefined;
let server: PostgresProcess | undefined;

/** The API as main.ts builds it (the mini_crm_app role), logging at debug into `log`. */
async function startApi(appUrl: string, keys: string | EncryptionKeys, log: string[]) {
  const pool = await createDatabasePool(appUrl);
  const app = await buildServer({
    pool,
    encryptionKey: keys,
    logger: { level: 'debug', stream: { write: (line: string) => void log.push(line) } },
  });
  isAppLoggingDebug = app.log.level === 'debug';
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** `pnpm crm rotate-key` as an operator runs it: a process of its own; its output joins the logs. */
function rotateKey(ownerUrl: string, log: string[]) {
  const child = spawn(process.execPath, ['src/cli.ts', 'rotate-key', '--as', adminEmail], {
    cwd: apiDir,
    env: {
      ...process.env,
      DATABASE_URL: ownerUrl,
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      CRM_ENCRYPTION_KEY: secrets.newEncryptionKey,
      CRM_ENCRYPTION_KEY_VERSION: '2',
      CRM_PREVIOUS_ENCRYPTION_KEYS: `1:${secrets.encryptionKey}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Signs in for a session cookie to hand a second server (which shares the database). */
async function sessionCookie(url: string) {
  const response = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { origin: url, 'content-type': 'application/json' },
    body: JSON.stringify({ email: adminEmail, password: secrets.password }),
  });
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

beforeAll(async () => {
  folder = await createDataFolder('mini-crm-leaks-');
  const ownerUrl = folder.url;
  // Everything PostgreSQL can say about a statement, as a DBA chasing a problem would turn it on.
  server = await startPostgres(folder, {
    log_statement: 'all',
    log_min_duration_statement: '0',
    log_connections: 'on',
    log_disconnections: 'on',
    log_error_verbosity: 'verbose',
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    fsync: 'off',
  });
  await withClient(ownerUrl, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query(`INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Admin', 'admin', $2)`, [
      adminEmail,
      await hashPassword(secrets.password),
    ]);
  });

  const appLog: string[] = [];
  // pg_stat_activity shows each backend's current (or last) statement: sample it all along.
  const watcher = new pg.Client({ connectionString: ownerUrl });
  await watcher.connect();
  const activity = new Set<string>();
  let isWatching = true;
  const watching = (async () => {
    while (isWatching) {
      const { rows } = await watcher.query<{ query: string }>(
        'SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid()',
      );
      for (const row of rows) activity.add(row.query);
    }
  })();

  try {
    const first = await startApi(folder.appUrl, secrets.encryptionKey, appLog);
    const crm = createCrmClient(first.url);
    let credentialId = '';
    try {
      await crm.auth.login.mutate({ email: adminEmail, password: secrets.password });
      // The controls: a search the app logs (in its URL), a statement PostgreSQL logs and keeps.
      await crm.clients.list.query({ search: marker });
      await withClient(ownerUrl, (client) => client.query(`SELECT 1 /* ${marker} */`));

      const client = await crm.clients.create.mutate({ name: 'Leak Test Ltd' });
      const created = await crm.credentials.create.mutate({
        clientId: client.id,
        label: 'Server',
        username: 'root',
        value: secrets.firstValue,
      });
      credentialId = created.id;
      expect((await crm.credentials.reveal.mutate({ id: credentialId })).value).toBe(secrets.firstValue);
      await crm.credentials.update.mutate({ id: credentialId, value: secrets.secondValue });
      await crm.credentials.get.query({ id: credentialId });
      expect((await crm.credentials.reveal.mutate({ id: credentialId })).value).toBe(secrets.secondValue);
      await crm.credentials.list.query({ clientId: client.id });

      // A server with the wrong key: the failed decryption takes PostgreSQL's error path.
      const wrong = await startApi(folder.appUrl, secrets.wrongKey, appLog);
      try {
        const response = await wrong.app.inject({
          method: 'POST',
          url: '/trpc/credentials.reveal',
          headers: {
            host: 'crm.test',
            origin: 'http://crm.test',
            'content-type': 'application/json',
            cookie: await sessionCookie(first.url),
          },
          payload: { id: credentialId },
        });
        expect(response.statusCode).toBe(412);
      } finally {
        await wrong.close();
      }
    } finally {
      await first.close();
    }

    rotationExitCode = await rotateKey(ownerUrl, appLog);

    // After the rotation: the API holds version 2, and version 1 for whatever was not re-encrypted.
    const second = await startApi(
      folder.appUrl,
      {
        current: { version: 2, key: secrets.newEncryptionKey },
        previous: [{ version: 1, key: secrets.encryptionKey }],
      },
      appLog,
    );
    try {
      const again = createCrmClient(second.url);
      await again.auth.login.mutate({ email: adminEmail, password: secrets.password });
      expect((await again.credentials.reveal.mutate({ id: credentialId })).value).toBe(secrets.secondValue);
      await again.auth.logout.mutate();
    } finally {
      await second.close();
    }
  } finally {
    isWatching = false;
    await watching;
    await watcher.end();
  }

  sources = await withClient(ownerUrl, async (client) => ({
    appLog: appLog.join('\n'),
    postgresLog: server?.log() ?? '',
    pgStatStatements: (await client.query<{ query: string }>('SELECT query FROM pg_stat_statements')).rows
      .map((row) => row.query)
      .join('\n'),
    pgStatActivity: [...activity].join('\n'),
    auditRows: (
      await client.query<{ row: string }>('SELECT row_to_json(a)::text AS row FROM credential_audit_logs a')
    ).rows
      .map((row) => row.row)
      .join('\n'),
  }));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await folder?.remove();
});

describe('a credential scenario under full statement logging', () => {
  it('ran whole: the rotation finished, and the app logged at debug', () => {
    expect(rotationExitCode).toBe(0);
    expect(sources.appLog).toContain('[crm]');
    expect(isAppLoggingDebug).toBe(true);
  });

  it('reaches every place searched: the control markers are found', () => {
    expect(sources.postgresLog).toContain(marker);
    expect(sources.postgresLog).toContain('/* credentials.reveal */'); // the app's own statements are logged
    expect(sources.appLog).toContain(marker);
    expect(sources.pgStatStatements).toContain(marker);
    expect(sources.pgStatStatements).toContain('encrypt_credential_value');
    expect(sources.pgStatActivity).toContain('/*');
    expect(sources.auditRows).toMatch(/"action":"decrypt"/);
  });

  it.each(Object.entries(secrets))('finds the %s in no log, statistics view or audit row', (name, secret) => {
    const found = Object.entries(sources).flatMap(([source, text]) =>
      spellings(secret).some((spelling) => text.includes(spelling)) ? [source] : [],
    );
    expect(found, `${name} found in`).toEqual([]);
  });
});
