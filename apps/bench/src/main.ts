/**
 * `pnpm bench [--quick]`: the API against the raw database on the same SQL, in one run (README,
 * "Performance at scale"). For each request and 8 and 32 connections, one after the other:
 * (a) pgbench on the procedure's captured statements, (b) a bare node:http + pg server on the same
 * statements, (c) the API process with a signed-in session. Prints the table, writes it to
 * bench-results/bench-<time>.md, and ends with `worst c/b: X`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoEncryptionKey, demoPassword, repoRoot, withClient } from '@mini-crm/database';
import { type CapturedCase, captureStatements, firstLine } from './capture.ts';
import { benchAccount, benchCases, deleteBenchTasks, type Fixtures, loadFixtures, requestOf } from './cases.ts';
import { openBenchDatabase, quickScale } from './dataset.ts';
import { hammer, type Measure } from './load.ts';
import { findPgbench, type PgbenchScript, runPgbench, writePgbenchScript } from './pgbench.ts';
import { memoryOf, type ServerProcess, sampleRss, startApi, startBareServer, startFlags } from './processes.ts';
import { megabytes, type Row, tableOf, worstOf } from './report.ts';
import { signInCookie } from './sign-in.ts';

const usage = `Usage: pnpm bench [--quick]

  (no option)  the scale set (database mini_crm_scale, as pnpm db:scale makes it; loaded here if empty),
               10 s per measurement
  --quick      a twentieth of it (database mini_crm_scale_quick, loaded on first use), 2 s per measurement

With DATABASE_URL (and CRM_APP_DATABASE_URL for the API's role), that database is measured instead.
Results: bench-results/bench-<time>.md. README: "The benchmark: pnpm bench".`;

/** The API's pool (apps/api/src/db.ts); the bare server gets as many connections. */
const apiPoolSize = 10;
const connectionCounts = [8, 32];

const say = (line: string) => console.log(`[bench] ${line}`);

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  const isQuick = values.quick ?? false;
  const seconds = isQuick ? 2 : 10;
  const warmUpSeconds = isQuick ? 0.5 : 2;
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');

  const db = await openBenchDatabase(isQuick, say);
  const cleanups: (() => Promise<unknown>)[] = [() => db.stop()];
  const workDir = await mkdtemp(join(tmpdir(), 'mini-crm-bench-'));
  cleanups.unshift(() => rm(workDir, { recursive: true, force: true }));
  // Printed after the clean-up, so that `worst c/b: X` is the last line.
  let report: string[] = [];
  try {
    const fixtures = await loadFixtures(db.url, runId);
    cleanups.unshift(async () => say(`removed the ${await deleteBenchTasks(db.url, fixtures)} tasks this run created`));
    const postgresVersion = await withClient(db.url, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version ?? '?';
    });
    // The API refuses the public demo key in production; a set loaded with it runs the same code as test.
    const nodeEnv = db.encryptionKey === demoEncryptionKey ? 'test' : 'production';
    const setting = [
      `${db.name}: ${db.counts.users} users, ${db.counts.clients} clients, ${db.counts.tasks} tasks`,
      `PostgreSQL ${postgresVersion}`,
      `API NODE_ENV=${nodeEnv}`,
    ].join('; ');
    say(setting);
    if (nodeEnv === 'test') {
      say(
        'the set was loaded with the demo key, which production refuses: the API runs with NODE_ENV=test ' +
          '(the same code but for that check). Load it with CRM_ENCRYPTION_KEY set for a production run.',
      );
    }

    say(`capturing each request's SQL from the API (as ${benchAccount})`);
    const captured = await captureStatements(db.appUrl, db.encryptionKey, demoPassword, benchCases, fixtures);

    const pgbench = await findPgbench();
    if (!pgbench) say('pgbench not found (CRM_PG15_BIN, /usr/lib/postgresql/15/bin, PATH): column (a) stays empty');
    const scripts: (PgbenchScript | string)[] = [];
    for (const [i, entry] of captured.entries()) {
      scripts.push(
        pgbench
          ? await writePgbenchScript(join(workDir, `case-${i}.sql`), entry).catch(
              (error: Error) => `n/a: ${error.message.slice(0, 60)}`,
            )
          : 'no pgbench',
      );
    }
    const statementsFile = join(workDir, 'statements.json');
    await writeFile(
      statementsFile,
      JSON.stringify({ timeZone: fixtures.timeZone, poolSize: apiPoolSize, cases: captured }),
    );

    const bare = await startBareServer(db.appUrl, statementsFile);
    cleanups.unshift(() => bare.stop());
    // Read once: the same flags start the API and are named in the legend.
    const nodeFlags = await startFlags();
    const api = await startApi({
      ownerUrl: db.url,
      appUrl: db.appUrl,
      encryptionKey: db.encryptionKey,
      nodeEnv,
      nodeFlags,
    });
    cleanups.unshift(() => api.stop());
    const cookie = await signInCookie(async (body) => {
      const response = await fetch(`${api.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { origin: api.url, 'content-type': 'application/json' },
        body,
      });
      return { status: response.status, setCookie: response.headers.getSetCookie() };
    }, demoPassword);
    const startRss = (await memoryOf(api.pid)).rss;
    const firstRows = await checkSameAnswers(bare, api, cookie, fixtures);

    const loadOf = (server: ServerProcess, i: number, connections: number, duration: number) => {
      const benchCase = benchCases[i];
      if (!benchCase) throw new Error(`no case ${i}`);
      const { path, body } = requestOf(benchCase, fixtures);
      const isApi = server === api;
      return hammer({
        url: `${server.url}${isApi ? path : `/case/${i}`}`,
        connections,
        seconds: duration,
        method: benchCase.method,
        headers: {
          'content-type': 'application/json',
          ...(isApi && { cookie, origin: api.url }),
        },
        ...(body !== undefined && { body }),
      });
    };

    say(`warming up (${warmUpSeconds} s per request and server)`);
    for (const i of benchCases.keys()) {
      await loadOf(bare, i, connectionCounts[0] ?? 8, warmUpSeconds);
      await loadOf(api, i, connectionCounts[0] ?? 8, warmUpSeconds);
    }

    const rows: Row[] = [];
    for (const [i, benchCase] of benchCases.entries()) {
      for (const connections of connectionCounts) {
        const script = scripts[i] ?? 'n/a';
        let a: Measure | string = typeof script === 'string' ? script : 'n/a';
        if (typeof script !== 'string' && pgbench) {
          const logDir = await mkdtemp(join(workDir, 'pgbench-'));
          a = await runPgbench(script, {
            pgbench,
            databaseUrl: db.appUrl,
            timeZone: fixtures.timeZone,
            connections,
            seconds: Math.max(1, Math.round(seconds)),
            logDir,
          }).catch((error: Error) => {
            say(`pgbench failed for ${benchCase.label}: ${error.message.split('\n').slice(0, 3).join(' ')}`);
            return 'failed';
          });
        }
        const b = await loadOf(bare, i, connections, seconds);
        const stopSampling = sampleRss(api.pid);
        const c = await loadOf(api, i, connections, seconds);
        const cRss = stopSampling();
        const row = { label: benchCase.label, connections, a, b, c, cRss };
        rows.push(row);
        say(`${benchCase.label} @${connections}: ${tableOf([row])[2]?.split('|').slice(3).join('|').trim()}`);
      }
    }
    const apiMemory = await memoryOf(api.pid);

    const worst = worstOf(rows);
    const lines = [
      ...tableOf(rows),
      '',
      ...legend(captured, firstRows, seconds, `NODE_ENV=${nodeEnv} node ${nodeFlags.join(' ')}`),
      '',
      `API resident memory: ${megabytes(startRss)} after sign-in, at most ${megabytes(Math.max(...rows.map((r) => r.cRss)))} ` +
        `while measured, peak ${megabytes(apiMemory.peak)} (VmHWM, start included)`,
      `setting: ${setting}; ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the end; ` +
        `${seconds} s per measurement after a ${warmUpSeconds} s warm-up`,
      worst ? `lowest c/b: ${worst.row.label} at ${worst.row.connections} connections` : 'no row measured',
      `worst c/b: ${worst ? worst.ratio.toFixed(2) : '–'}`,
    ];
    const resultsDir = join(repoRoot, 'bench-results');
    await mkdir(resultsDir, { recursive: true });
    const resultsFile = join(resultsDir, `bench-${runId}.md`);
    const title = `# pnpm bench${isQuick ? ' --quick' : ''}, ${startedAt.toISOString()}`;
    await writeFile(resultsFile, `${title}\n\n${lines.join('\n')}\n`);
    say(`written to ${resultsFile}`);
    report = ['', ...lines];
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: Error) => say(`cleanup: ${error.message}`));
  }
  for (const line of report) console.log(line);
}

/**
 * One request of each case to (b) and (c) before measuring: both must answer 200 (a failure stops the
 * run here, with the answer), and a list's page must hold as many rows in both (the API reads one
 * row more than it shows, to know whether a next page exists): the same SQL gives the same rows.
 */
async function checkSameAnswers(
  bare: ServerProcess,
  api: ServerProcess,
  cookie: string,
  fixtures: Fixtures,
): Promise<number[]> {
  const firstRows: number[] = [];
  for (const [i, benchCase] of benchCases.entries()) {
    const { path, body } = requestOf(benchCase, fixtures);
    const init = { method: benchCase.method, ...(body !== undefined && { body }) };
    const headers = { 'content-type': 'application/json' };
    const fromBare = await fetch(`${bare.url}/case/${i}`, { ...init, headers });
    const fromApi = await fetch(`${api.url}${path}`, { ...init, headers: { ...headers, cookie, origin: api.url } });
    if (fromBare.status !== 200 || fromApi.status !== 200) {
      const detail = `bare server ${fromBare.status} ${(await fromBare.text()).slice(0, 200)}; API ${fromApi.status} ${(await fromApi.text()).slice(0, 200)}`;
      throw new Error(`${benchCase.label}: ${detail}`);
    }
    const bareRows = ((await fromBare.json()) as unknown[][])[0] ?? [];
    firstRows.push(bareRows.length);
    const items = ((await fromApi.json()) as { result?: { data?: { items?: unknown[] } } }).result?.data?.items;
    if (items && bareRows.length !== items.length && bareRows.length !== items.length + 1) {
      say(`WARNING ${benchCase.label}: the API's page has ${items.length} rows, the same SQL ${bareRows.length}`);
    }
  }
  return firstRows;
}

/** What each column includes, and each request's statements (the names in their leading comments). */
function legend(captured: CapturedCase[], firstRows: number[], seconds: number, apiCommand: string): string[] {
  const lines = [
    `Each row: a, b, c one after another, ${seconds} s each, at the same number of connections; req/s of answers, p50/p99 in ms.`,
    '- a: pgbench -M extended (every statement unnamed, planned at each call), the statements below as one script per transaction (a mutation: between BEGIN and COMMIT), one database connection per client; no HTTP.',
    `- b: node:http + pg (pool ${apiPoolSize}): the statements below on one pooled connection (a mutation: between BEGIN and COMMIT), those marked * prepared under the API's names, rows as JSON; autocannon on loopback.`,
    `- c: the API process (${apiCommand}, pool ${apiPoolSize}, request logs off) with a session cookie: ` +
      'the scope statement (the session and its user, set_config ×4) for a write, and for a read on a connection that does not carry the caller yet (auth/session-cache.ts), ' +
      'the statements below (a mutation: between BEGIN and COMMIT), ' +
      'zod on input and rows, tRPC and Fastify; autocannon on loopback.',
    "- API RSS: the API process's largest VmRSS during its run (sampled every 100 ms).",
    'Statements per request (a and b run these; c also runs what follows "c also", for a read only as said above), and the rows the first one returns:',
  ];
  for (const [i, entry] of captured.entries()) {
    const names = entry.statements
      .map((statement) => `${firstLine(statement.sql)}${statement.name === undefined ? '' : '*'}`)
      .join(', ');
    const also = entry.around.join(', ');
    const rows = firstRows[i] ?? 0;
    lines.push(`- ${benchCases[i]?.label}: ${names} (c also: ${also}); ${rows} row${rows === 1 ? '' : 's'}`);
  }
  lines.push(`--quick: the set at --scale ${quickScale}.`);
  return lines;
}

main().catch((error: unknown) => {
  console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
