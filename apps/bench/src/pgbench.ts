/**
 * (a) of the benchmark: pgbench running a case's captured statements as one script (one
 * "transaction" = the statements in order, each on its own like (b); a mutation's between BEGIN and
 * COMMIT, as the API runs it), the captured values as
 * variables (-D) sent as bind parameters, one connection per client. `-M extended`, not `prepared`:
 * pgbench's mode is one for the whole script, and most of what the API searches it sends unnamed,
 * planned for each call's values; prepared, a trigram search (ILIKE $1) switched to a generic plan
 * 3 times slower than the API itself. So (a) plans every statement at every call, also those the
 * API prepares (db.ts `prepared`). Latencies come from pgbench's per-transaction log (-l).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bindValueText } from '@mini-crm/database/plans';
import type { CapturedCase } from './capture.ts';
import type { Measure } from './load.ts';
import { percentile } from './load.ts';

const run = promisify(execFile);

/** pgbench from PATH, or Debian's PostgreSQL 15 (CRM_PG15_BIN, as database/src/testing.ts finds it). */
export async function findPgbench(): Promise<string | null> {
  const debian = join(process.env.CRM_PG15_BIN ?? '/usr/lib/postgresql/15/bin', 'pgbench');
  if (existsSync(debian)) return debian;
  const found = await run('sh', ['-c', 'command -v pgbench']).catch(() => null);
  return found?.stdout.trim() || null;
}

export type PgbenchScript = { file: string; variables: string[] };

/**
 * Writes the script: `$n` of statement i becomes `:s<i>p<n>`, set with -D to pg's text of the value;
 * a NULL value is written into the statement, since -D cannot give one.
 */
export async function writePgbenchScript(
  file: string,
  { statements, inTransaction }: CapturedCase,
): Promise<PgbenchScript> {
  const variables: string[] = [];
  const lines = statements.map((statement, i) => {
    const sql = statement.sql.replace(/\$(\d+)/g, (_match, n: string) => {
      const value = bindValueText(statement.values[Number(n) - 1]);
      if (value === null) return 'NULL';
      variables.push(`s${i}p${n}=${value}`);
      return `:s${i}p${n}`;
    });
    if (/(^|[^:]):[a-z_]/i.test(sql.replace(/:s\d+p\d+/g, ''))) {
      throw new Error(`statement ${i} holds a ":name" that pgbench would read as a variable: ${sql.slice(0, 80)}`);
    }
    return `${sql.trim().replace(/;$/, '')};`;
  });
  const script = inTransaction ? ['BEGIN;', ...lines, 'COMMIT;'] : lines;
  await writeFile(file, `${script.join('\n')}\n`);
  return { file, variables };
}

export type PgbenchRun = {
  pgbench: string;
  databaseUrl: string;
  timeZone: string;
  connections: number;
  seconds: number;
  /** A folder of its own for the per-transaction logs. */
  logDir: string;
};

export async function runPgbench(script: PgbenchScript, options: PgbenchRun): Promise<Measure> {
  const url = new URL(options.databaseUrl);
  const args = [
    '-n', // no pgbench tables to vacuum
    '-M',
    'extended',
    '-f',
    script.file,
    '-c',
    String(options.connections),
    '-j',
    '1',
    '-T',
    String(options.seconds),
    '-l',
    `--log-prefix=${join(options.logDir, 'tx')}`,
    ...script.variables.flatMap((variable) => ['-D', variable]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username),
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const env = {
    ...process.env,
    PGPASSWORD: decodeURIComponent(url.password), // in the environment, never on the command line
    PGOPTIONS: `-c TimeZone=${options.timeZone}`,
  };
  const { stdout } = await run(options.pgbench, args, { env, maxBuffer: 10_000_000 });
  const tps = Number(/^tps = ([\d.]+)/m.exec(stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  const latencies: number[] = [];
  for (const name of await readdir(options.logDir)) {
    // client_id transaction_no time(µs) script_no time_epoch time_us
    for (const line of (await readFile(join(options.logDir, name), 'utf8')).split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (Number.isFinite(micros) && line) latencies.push(micros / 1000);
    }
  }
  latencies.sort((x, y) => x - y);
  if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return { rps: tps, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors: failed };
}
