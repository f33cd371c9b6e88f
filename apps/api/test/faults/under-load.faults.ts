/**
 * The system under load, and what faults do to it, with the API and PostgreSQL as separate processes
 * (test/faults/stack.ts) on one database, one scenario after the other; each prints its figures.
 * 1. Mixed reads and writes from 64 signed-in connections for 60 s: no answer is a 5xx, and the
 *    database then holds exactly the acknowledged writes, each of them whole.
 * 2. kill -9 of PostgreSQL (the postmaster and every backend at once, as a crash) under that load,
 *    5 s away, then a restart on the same data and port: the API process stays up, answers 503 with a
 *    clear message while the database is away, serves again by itself within 5 s of its return, and
 *    no acknowledged write is lost or half made.
 * 3. kill -9 of the API in the middle of a stream of writes: PostgreSQL rolls back what the dead
 *    process left open, so no record is half made; every acknowledged write is there; and the API,
 *    started again on the same database, serves at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '@mini-crm/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, inspect, lostWrites, unexplainedWrites } from './inspect.ts';
import {
  type Answer,
  countByStatus,
  isAcknowledged,
  isServerError,
  newTally,
  runLoad,
  signInWorkers,
  writeKinds,
} from './load.ts';
import { type Stack, startStack } from './stack.ts';

const databaseUnavailable = 'the database is unavailable; try again shortly';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('faults');
});
afterAll(async () => {
  await stack?.close();
});

describe('60 s of mixed load on 64 connections', () => {
  it('answers no 5xx, and the database holds exactly the acknowledged writes', async () => {
    const url = stack.api().url;
    const tally = await runLoad({ url, cookies: await signInWorkers(url, 64), durationMs: 60_000 });
    const inspection = await inspect(stack.folder.url, tally, stack.encryptionKey);
    console.log(describeRun('load: 60 s, 64 connections', tally, inspection));

    expect(tally.answers.length).toBeGreaterThan(1000);
    expect(countByStatus(tally.answers.filter((answer) => !answer.status.startsWith('2')))).toEqual({});
    expect(tally.answers.filter((answer) => isServerError(answer.status))).toEqual([]);
    for (const kind of writeKinds) {
      expect(inspection.found[kind], kind).toEqual(tally.writes[kind].acknowledged);
    }
    expect(inspection.decryptRows).toBe(tally.reveals.acknowledged);
    expect(lostWrites(tally, inspection)).toEqual([]);
    expect(unexplainedWrites(tally, inspection)).toEqual([]);
    expect(inspection.credentialsWithoutOneCreateRow).toEqual([]);
    expect(inspection.credentialsNotDecrypting).toEqual([]);
    expect(inspection.tasksWithoutClient).toEqual([]);
    expect(inspection.auditChain.firstBroken).toBeNull();
    expect(stack.api().hasExited()).toBe(false);
  });
});

describe('PostgreSQL killed with SIGKILL under load', () => {
  it('answers 503 while it is away, serves again within 5 s of its return, and loses no acknowledged write', async () => {
    const url = stack.api().url;
    const tally = newTally();
    const stopLoad = new AbortController();
    const cookies = await signInWorkers(url, 64);
    const load = runLoad({ url, cookies, durationMs: 120_000, signal: stopLoad.signal }, tally);
    const clock = () => Date.now() - tally.startedAt;

    await sleep(8_000);
    const killedAt = clock();
    await stack.postgres().kill9();
    // What a load balancer's health probe sees meanwhile (not awaited: it must not hold up the timeline).
    const healthWhileDown = sleep(1_000).then(() =>
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
        (response) => String(response.status),
        () => 'no answer within 10 s',
      ),
    );
    await sleep(5_000);
    const restartedAt = clock();
    await stack.startPostgres();
    const backAt = clock(); // PostgreSQL takes connections again (crash recovery done)
    await sleep(10_000);
    stopLoad.abort();
    await load;

    const startedAfterReturn = tally.answers.filter((answer) => answer.startedAt >= backAt);
    const firstServed = startedAfterReturn.filter((answer) => isAcknowledged(answer.status));
    const failedAfterReturn = startedAfterReturn.filter((answer) => !isAcknowledged(answer.status));
    const recoveryMs = Math.min(...firstServed.map((answer) => answer.endedAt)) - backAt;
    const fullyBackMs = Math.max(backAt, ...failedAfterReturn.map((answer) => answer.endedAt)) - backAt;
    const duringOutage = tally.answers.filter((answer) => answer.startedAt > killedAt && answer.endedAt < backAt);
    const serverErrors = tally.answers.filter((answer) => isServerError(answer.status));

    const inspection = await inspect(stack.folder.url, tally, stack.encryptionKey);
    console.log(
      describeRun('PostgreSQL kill -9 under load (64 connections)', tally, inspection, [
        `PostgreSQL killed at ${(killedAt / 1000).toFixed(1)} s, restarted at ${(restartedAt / 1000).toFixed(1)} s, ` +
          `taking connections at ${(backAt / 1000).toFixed(1)} s (crash recovery ${backAt - restartedAt} ms)`,
        `answers while it was away: ${duringOutage.length}, by status ${JSON.stringify(countByStatus(duringOutage))}`,
        `5xx messages: ${JSON.stringify(countMessages(serverErrors))}`,
        `/healthz while away: ${await healthWhileDown}`,
        `recovery: first 2xx ${recoveryMs} ms after PostgreSQL's return; last failure ${fullyBackMs} ms after it`,
        `API process: ${stack.api().hasExited() ? 'EXITED' : 'still running, never restarted'}`,
      ]),
    );

    expect(stack.api().hasExited()).toBe(false);
    expect(await healthWhileDown).toBe('503');
    expect(duringOutage.length).toBeGreaterThan(0);
    // Every failure is the clear 503; nothing became a 500 or a dropped connection.
    expect(countByStatus(tally.answers.filter((answer) => !isAcknowledged(answer.status)))).toEqual({
      '503': tally.answers.filter((answer) => !isAcknowledged(answer.status)).length,
    });
    expect(countMessages(serverErrors)).toEqual({ [databaseUnavailable]: serverErrors.length });
    expect(recoveryMs).toBeLessThanOrEqual(5_000);
    expect(fullyBackMs).toBeLessThanOrEqual(5_000);

    expect(lostWrites(tally, inspection)).toEqual([]);
    expect(unexplainedWrites(tally, inspection)).toEqual([]);
    expect(inspection.credentialsWithoutOneCreateRow).toEqual([]);
    expect(inspection.credentialsNotDecrypting).toEqual([]);
    expect(inspection.tasksWithoutClient).toEqual([]);
    expect(inspection.decryptRows).toBeGreaterThanOrEqual(tally.reveals.acknowledged);
    expect(inspection.decryptRows).toBeLessThanOrEqual(tally.reveals.acknowledged + tally.reveals.unknown);
    expect(inspection.auditChain.firstBroken).toBeNull();
  });
});

function countMessages(answers: readonly Answer[]) {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[answer.message ?? '(none)'] = (counts[answer.message ?? '(none)'] ?? 0) + 1;
  return counts;
}

/** Sessions of the API's role still open in PostgreSQL (a dead process's connections, until PostgreSQL notices). */
const appSessions = () =>
  withClient(stack.folder.url, async (client) => {
    const { rows } = await client.query<{ state: string | null }>(
      `SELECT state FROM pg_stat_activity WHERE usename = 'mini_crm_app'`,
    );
    return rows.map((row) => row.state ?? 'unknown');
  });

describe('the API killed with SIGKILL during writes', () => {
  it('leaves no half record, loses no acknowledged write, and starts again', async () => {
    const url = stack.api().url;
    const tally = newTally();
    const stopLoad = new AbortController();
    const load = runLoad(
      { url, cookies: await signInWorkers(url, 32), durationMs: 60_000, isWriteOnly: true, signal: stopLoad.signal },
      tally,
    );
    await sleep(8_000);
    const openBeforeKill = (await appSessions()).length;
    await stack.api().kill9();
    const killedAt = Date.now() - tally.startedAt;
    stopLoad.abort();
    await load;

    // PostgreSQL sees the dead process's sockets close and rolls back whatever they had open.
    const deadline = Date.now() + 10_000;
    let leftOpen = await appSessions();
    while (leftOpen.length > 0 && Date.now() < deadline) {
      await sleep(100);
      leftOpen = await appSessions();
    }
    const inspection = await inspect(stack.folder.url, tally, stack.encryptionKey);

    const restarted = await stack.startApi();
    const [cookie] = await signInWorkers(restarted.url, 1);
    const probe = await runLoad({ url: restarted.url, cookies: [cookie ?? ''], durationMs: 2_000, isWriteOnly: true });

    console.log(
      describeRun('API kill -9 during writes (32 connections)', tally, inspection, [
        `API killed at ${(killedAt / 1000).toFixed(1)} s with ${openBeforeKill} database sessions open; ` +
          `sessions of the dead process left in PostgreSQL afterwards: ${leftOpen.length}`,
        `restarted API: ${probe.answers.filter((answer) => isAcknowledged(answer.status)).length} of ${probe.answers.length} writes acknowledged in 2 s`,
      ]),
    );

    expect(tally.answers.filter((answer) => answer.status === 'network').length).toBeGreaterThan(0);
    expect(leftOpen).toEqual([]);
    expect(lostWrites(tally, inspection)).toEqual([]);
    expect(unexplainedWrites(tally, inspection)).toEqual([]);
    expect(inspection.credentialsWithoutOneCreateRow).toEqual([]);
    expect(inspection.credentialsNotDecrypting).toEqual([]);
    expect(inspection.tasksWithoutClient).toEqual([]);
    expect(inspection.auditChain.firstBroken).toBeNull();
    expect(probe.answers.length).toBeGreaterThan(0);
    expect(probe.answers.every((answer) => isAcknowledged(answer.status))).toBe(true);
  });
});
