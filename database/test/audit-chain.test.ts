/**
 * The audit hash chain (003_hardening) and `pnpm db verify-audit`: a seeded database verifies intact;
 * a superuser who edits or deletes audit rows with the triggers switched off is caught at the first
 * broken row; a deliberate purge is told apart from tampering; concurrent appends never fork it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations, migrate, sqlDir, withClient } from '../src/migrate.ts';
import { appRoleUrl } from '../src/roles.ts';
import { loadSampleData } from '../src/seed.ts';
import { createTestDatabase, useTestDatabase } from '../src/testing.ts';
import { verifyAuditChain } from '../src/verify-audit.ts';
import { insertAuditLog, insertClient, insertCredential, type Queryable } from './rows.ts';

const run = promisify(execFile);
const cliPath = new URL('../src/cli.ts', import.meta.url).pathname;

const db = useTestDatabase();
beforeAll(() => loadSampleData(db.url));

// Scratch databases for the tampering: each scenario breaks its own copy.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function scratchDatabase() {
  const created = await createTestDatabase(inject('postgres').adminUrl);
  const pool = new pg.Pool({ connectionString: created.url, max: 10 });
  cleanups.push(async () => {
    await pool.end();
    await created.drop();
  });
  return { url: created.url, pool };
}

/** A credential with `count` audit rows after its 'create' row; returns the audit rows in chain order. */
async function credentialWithHistory(pool: pg.Pool, count: number) {
  const { id: clientId } = await insertClient(pool);
  const { id } = await insertCredential(pool, { client_id: clientId });
  for (let i = 0; i < count; i += 1)
    await insertAuditLog(pool, { credential_id: id, action: 'view', user_agent: `agent ${i}` });
  const { rows } = await pool.query<{ id: number; uuid: string; chain_position: string }>(
    'SELECT id, uuid, chain_position FROM credential_audit_logs WHERE credential_id = $1 ORDER BY chain_position',
    [id],
  );
  return { credentialId: id, rows };
}

/** As a superuser behind the triggers' back: session_replication_role = replica fires no trigger. */
async function tamper(pool: pg.Pool, statement: string, values: unknown[] = []) {
  const client = await pool.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(statement, values);
  } finally {
    await client.query('RESET session_replication_role');
    client.release();
  }
}

const verifyCli = (url: string) =>
  run(process.execPath, [cliPath, 'verify-audit'], { env: { ...process.env, DATABASE_URL: url } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

async function chainOf(pool: Queryable) {
  const { rows } = await pool.query<{ position: number; links: boolean; first: boolean }>(
    `SELECT chain_position::int AS position,
            prev_hash = lag(row_hash) OVER (ORDER BY chain_position) AS links,
            prev_hash = decode(repeat('00', 32), 'hex') AS first
     FROM credential_audit_logs ORDER BY chain_position`,
  );
  return rows;
}

describe('the seeded database', () => {
  it('verifies intact: every row links to the one before it, positions 1 to N, the head at N', async () => {
    const report = await verifyAuditChain(db.url);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM credential_audit_logs');
    expect(report).toEqual({
      rowsChecked: rows[0].n,
      purgedRows: 0,
      head: { chainPosition: rows[0].n, rowHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      firstBroken: null,
    });
    const chain = await chainOf(db.pool);
    expect(chain.map((link) => link.position)).toEqual(chain.map((_, index) => index + 1));
    expect(chain[0]).toMatchObject({ links: null, first: true });
    expect(chain.slice(1).every((link) => link.links)).toBe(true);
  });

  it('pnpm db verify-audit says so and exits 0', async () => {
    const { code, stdout } = await verifyCli(db.url);
    expect(code).toBe(0);
    expect(stdout).toMatch(/checked \d+ audit rows\n.*audit chain intact; head: position \d+, sha256 [0-9a-f]{64}/);
  });

  it('hashes the same whatever the time zone of the session that wrote the row', async () => {
    const { rows } = await credentialWithHistory(db.pool, 0);
    const client = await db.pool.connect();
    try {
      await client.query("SET TimeZone = 'Pacific/Kiritimati'");
      await client.query(
        'SELECT record_credential_audit((SELECT credential_id FROM credential_audit_logs WHERE id = $1), $2)',
        [rows[0]?.id, 'view'],
      );
    } finally {
      await client.query('RESET TimeZone');
      client.release();
    }
    expect((await verifyAuditChain(db.url)).firstBroken).toBeNull();
  });
});

describe('tampering as a superuser with the triggers off', () => {
  it('an edited row is named: its content no longer matches its hash', async () => {
    const scratch = await scratchDatabase();
    const { rows } = await credentialWithHistory(scratch.pool, 4);
    const victim = rows[2];
    await tamper(scratch.pool, "UPDATE credential_audit_logs SET user_agent = 'innocent' WHERE id = $1", [victim?.id]);

    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toEqual({
      chainPosition: Number(victim?.chain_position),
      id: victim?.id,
      uuid: victim?.uuid,
      reason: 'its content does not match its row_hash: the row was changed after it was written',
    });
    const { code, stdout } = await verifyCli(scratch.url);
    expect(code).toBe(1);
    expect(stdout).toContain(`AUDIT CHAIN BROKEN at audit row ${victim?.id} (uuid ${victim?.uuid})`);
  });

  it('an edited row whose hash was recomputed too: the next row is named, its link no longer holds', async () => {
    const scratch = await scratchDatabase();
    const { rows } = await credentialWithHistory(scratch.pool, 4);
    await tamper(scratch.pool, "UPDATE credential_audit_logs SET action = 'update' WHERE id = $1", [rows[1]?.id]);
    await tamper(
      scratch.pool,
      'UPDATE credential_audit_logs a SET row_hash = credential_audit_row_hash(a) WHERE id = $1',
      [rows[1]?.id],
    );
    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toMatchObject({ id: rows[2]?.id, uuid: rows[2]?.uuid });
    expect(report.firstBroken?.reason).toMatch(/^its prev_hash does not match the row_hash of chain position/);
  });

  it('a deleted row: the row after it is named', async () => {
    const scratch = await scratchDatabase();
    const { rows } = await credentialWithHistory(scratch.pool, 4);
    await tamper(scratch.pool, 'DELETE FROM credential_audit_logs WHERE id = $1', [rows[2]?.id]);

    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toEqual({
      chainPosition: Number(rows[3]?.chain_position),
      id: rows[3]?.id,
      uuid: rows[3]?.uuid,
      reason: `the row before it is missing: chain position ${rows[2]?.chain_position} has no audit row and no purge record (deleted behind the triggers' back)`,
    });
    const { code, stdout } = await verifyCli(scratch.url);
    expect(code).toBe(1);
    expect(stdout).toContain(`AUDIT CHAIN BROKEN at audit row ${rows[3]?.id} (uuid ${rows[3]?.uuid})`);
  });

  it('the newest rows deleted: the chain no longer ends where its head says', async () => {
    const scratch = await scratchDatabase();
    const { rows } = await credentialWithHistory(scratch.pool, 3);
    const newest = rows.at(-1);
    await tamper(scratch.pool, 'DELETE FROM credential_audit_logs WHERE id = $1', [newest?.id]);
    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toEqual({
      chainPosition: Number(newest?.chain_position),
      id: null,
      uuid: null,
      reason: `the newest rows are missing: the chain head records position ${newest?.chain_position}, the last row is at ${Number(newest?.chain_position) - 1}`,
    });
  });
});

describe('a deliberate purge', () => {
  it('is walked through by its purge records: the chain stays intact and the report counts them', async () => {
    const scratch = await scratchDatabase();
    const kept = await credentialWithHistory(scratch.pool, 2);
    const purged = await credentialWithHistory(scratch.pool, 3);
    await credentialWithHistory(scratch.pool, 2); // rows chained after the purged ones
    await scratch.pool.query('DELETE FROM credentials WHERE id = $1', [purged.credentialId]);

    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toBeNull();
    expect(report.purgedRows).toBe(purged.rows.length);
    expect(report.rowsChecked).toBe(kept.rows.length * 2);
    expect((await verifyCli(scratch.url)).stdout).toContain(
      `and ${purged.rows.length} purged rows by their purge records`,
    );
  });
});

describe('concurrent appends', () => {
  it('from several connections at once, as the API role, never fork the chain', async () => {
    const scratch = await scratchDatabase();
    const { credentialId } = await credentialWithHistory(scratch.pool, 0);
    const app = new pg.Pool({ connectionString: appRoleUrl(scratch.url, inject('postgres').appPassword), max: 8 });
    const connections = 8;
    const viewsEach = 15;
    try {
      await Promise.all(
        Array.from({ length: connections }, async () => {
          const client = await app.connect();
          try {
            for (let i = 0; i < viewsEach; i += 1) {
              await client.query('BEGIN');
              await client.query('SELECT view_credential($1)', [credentialId]);
              await client.query('COMMIT');
            }
          } finally {
            client.release();
          }
        }),
      );
    } finally {
      await app.end();
    }
    const report = await verifyAuditChain(scratch.url);
    expect(report.firstBroken).toBeNull();
    expect(report.rowsChecked).toBe(1 + connections * viewsEach);
    expect(report.head.chainPosition).toBe(1 + connections * viewsEach);
  });
});

describe('rows written before the hash chain existed', () => {
  it('are chained by the migration in id order', async () => {
    const { adminUrl } = inject('postgres');
    const name = `prechain_${process.pid}_${Date.now()}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    const dir = await mkdtemp(join(tmpdir(), 'mini-crm-prechain-'));
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      // The schema as it was before 003: the first two migrations only.
      for (const migration of (await loadMigrations(sqlDir)).slice(0, 2)) {
        await writeFile(join(dir, migration.name), await readFile(join(sqlDir, migration.name), 'utf8'));
      }
      await migrate(url, dir);
      const { id: clientId } = await insertClient(pool);
      const { id: credentialId } = await insertCredential(pool, { client_id: clientId });
      for (let i = 0; i < 5; i += 1) await insertAuditLog(pool, { credential_id: credentialId, action: 'view' });

      await migrate(url);
      const report = await verifyAuditChain(url);
      expect(report).toMatchObject({ rowsChecked: 6, firstBroken: null });
      const { rows } = await pool.query(
        'SELECT id, chain_position::int AS position FROM credential_audit_logs ORDER BY id',
      );
      expect(rows.map((row) => row.position)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await pool.end();
      await rm(dir, { recursive: true, force: true });
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });
});
