/**
 * The connection pool when PostgreSQL dies with calls queued for a connection: every queued call must
 * fail promptly (and become a 503), not wait forever. slonik 49.10.9 loses them when a new connection
 * attempt is still pending as the last one fails: they hang until the request times out, and run late,
 * long after their caller was answered, once a connection frees up again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabasePool } from '../../src/db.ts';
import { createDataFolder, type DataFolder, type PostgresProcess, startPostgres } from '../postgres-process.ts';

let folder: DataFolder;
let postgres: PostgresProcess;
beforeAll(async () => {
  folder = await createDataFolder('mini-crm-pool-');
  postgres = await startPostgres(folder);
});
afterAll(async () => {
  await postgres?.stop();
  await folder?.remove();
});

describe('a pool with queued calls when PostgreSQL is killed', () => {
  it('fails every queued call within 5 s', async () => {
    const pool = await createDatabasePool(folder.appUrl, { maximumPoolSize: 4 });
    const arrivals: Promise<unknown>[] = [];
    try {
      // 4 connections busy, 12 calls queued behind them.
      const queued = Array.from({ length: 16 }, () =>
        pool.query(sql.unsafe`SELECT pg_sleep(30)`).then(
          () => 'done',
          () => 'failed',
        ),
      );
      await sleep(500);
      const waitingAtKill = pool.state().waitingClients;
      await postgres.kill9();
      const killedAt = Date.now();
      // New requests keep arriving meanwhile, as they do on a live server.
      while (Date.now() - killedAt < 3_000) {
        arrivals.push(pool.query(sql.unsafe`SELECT 1`).catch(() => null));
        await sleep(5);
      }
      const outcome = await Promise.race([Promise.all(queued), sleep(2_000).then(() => null)]);
      const stillWaiting = pool.state().waitingClients;
      console.log(
        `pool: ${waitingAtKill} calls queued when PostgreSQL died; ${stillWaiting} still queued 5 s later ` +
          `(${outcome ? 'every queued call failed' : 'some never settled'})`,
      );
      expect(waitingAtKill).toBe(12);
      expect(stillWaiting).toBe(0);
      expect(outcome).toEqual(Array(16).fill('failed'));
    } finally {
      postgres = await startPostgres(folder);
      await pool.end(); // rejects whatever is still queued
      await Promise.all(arrivals);
    }
  });
});
