/**
 * (b) of the benchmark: the least a Node server can do to answer the same request. node:http and a
 * plain pg pool of the API's size; GET or POST /case/<n> runs case n's captured statements (the
 * procedure's own SQL and bind values, capture.ts) one after another on one pooled connection, as
 * the API's transaction does (named as the API names them: prepared once per connection), and
 * answers the rows as JSON; a mutation's between BEGIN and COMMIT, as the API runs it. No framework,
 * session, scope statement or row validation: that difference is what c/b measures.
 *
 *   BENCH_DATABASE_URL=… BENCH_PORT=… node src/bare-server.ts <statements.json>
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import pg from 'pg';
import type { CapturedCase } from './capture.ts';

export type BareServerConfig = {
  /** The caller's zone: the API sets it per transaction, this server once per connection. */
  timeZone: string;
  poolSize: number;
  cases: Pick<CapturedCase, 'statements' | 'inTransaction'>[];
};

const [file] = process.argv.slice(2);
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!file || !databaseUrl) throw new Error('usage: BENCH_DATABASE_URL=… BENCH_PORT=… node src/bare-server.ts <file>');
const config = JSON.parse(readFileSync(file, 'utf8')) as BareServerConfig;

const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: config.poolSize,
  options: `-c TimeZone=${config.timeZone}`,
});

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

const server = createServer(async (request, response) => {
  if (request.url === '/ready') {
    response.end('ok');
    return;
  }
  const benchCase = config.cases[Number(/^\/case\/(\d+)$/.exec(request.url ?? '')?.[1] ?? -1)];
  if (!benchCase) {
    response.writeHead(404).end();
    return;
  }
  try {
    await readBody(request); // a POST's input is read and parsed, as any server must
    const client = await pool.connect();
    try {
      if (benchCase.inTransaction) await client.query('BEGIN');
      const results = [];
      for (const { sql, values, name } of benchCase.statements) {
        // A statement the API prepares is prepared here too, under its name: the same SQL, the same way.
        results.push((await client.query({ text: sql, values, ...(name !== undefined && { name }) })).rows);
      }
      if (benchCase.inTransaction) await client.query('COMMIT');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
    } catch (error) {
      if (benchCase.inTransaction) await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error).message));
  }
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}
