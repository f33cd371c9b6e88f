/**
 * "The same SQL" for (a) pgbench and (b) the bare server, taken from the API itself: each case is
 * sent once, over HTTP (Fastify's inject), to the API's own server (buildServer) on the API's own
 * pool (createDatabasePool), to which an interceptor is added that records every statement with its
 * bind values. What the procedure runs after the request's scope statement is its own SQL; a change
 * to a query or to what the router passes is a change to what is measured, with nothing copied by hand.
 */

// Not part of the API's package exports: the benchmark needs the server and pool it runs in production.
import { createDatabasePool } from '@mini-crm/api/db';
import { buildServer } from '@mini-crm/api/server';
import type { Interceptor } from 'slonik';
import { type BenchCase, benchAccount, type Fixtures, requestOf } from './cases.ts';
import { signInCookie } from './sign-in.ts';

/** A statement with its bind values; `name` when the API prepares it (db.ts `prepared`). */
export type Statement = { sql: string; values: unknown[]; name?: string };

export type CapturedCase = {
  /** The procedure's own statements (after the scope statement), in order. */
  statements: Statement[];
  /** What else the request ran before them: the scope statement, which also reads the session (first lines). */
  around: string[];
  /**
   * Whether the API runs them in a transaction: a mutation (POST) does (trpc.ts), so (a) and (b)
   * run them between BEGIN and COMMIT too, as any correct handler of a write in several statements.
   */
  inTransaction: boolean;
};

/** The comment that opens the request's first statement (scopeBySession in apps/api/src/auth/queries.ts). */
const scopeMarker = '/* request.scope */';

export async function captureStatements(
  appUrl: string,
  encryptionKey: string,
  password: string,
  cases: BenchCase[],
  fixtures: Fixtures,
): Promise<CapturedCase[]> {
  const pool = await createDatabasePool(appUrl, { maximumPoolSize: 1 });
  const recorded: Statement[] = [];
  const recorder: Interceptor = {
    name: 'bench-recorder',
    beforeQueryExecution: (_context, query) => {
      recorded.push({
        sql: query.sql,
        values: [...query.values],
        ...(query.name !== undefined && { name: query.name }),
      });
      return null;
    },
  };
  // The pool reads its interceptors at every query; the API's own (row validation) stays first.
  (pool.configuration.interceptors as Interceptor[]).push(recorder);
  const app = await buildServer({ pool, encryptionKey, logger: false, webDir: '/nonexistent' });
  const origin = 'http://127.0.0.1';
  const headers = { host: '127.0.0.1', origin, 'content-type': 'application/json' };
  try {
    const cookie = await signInCookie(async (body) => {
      const response = await app.inject({ method: 'POST', url: '/trpc/auth.login', headers, payload: body });
      return { status: response.statusCode, setCookie: [response.headers['set-cookie'] ?? []].flat() };
    }, password);
    const captured: CapturedCase[] = [];
    for (const benchCase of cases) {
      recorded.length = 0;
      const { path, body } = requestOf(benchCase, fixtures);
      const response = await app.inject({
        method: benchCase.method,
        url: path,
        headers: { ...headers, cookie },
        ...(body !== undefined && { payload: body }),
      });
      if (response.statusCode !== 200) {
        throw new Error(`${benchCase.label} as ${benchAccount}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      }
      const scopeAt = recorded.findIndex((statement) => statement.sql.includes(scopeMarker));
      if (scopeAt < 0) throw new Error(`${benchCase.label}: no request.scope statement was recorded`);
      captured.push({
        statements: recorded.slice(scopeAt + 1),
        around: recorded.slice(0, scopeAt + 1).map((statement) => firstLine(statement.sql)),
        inTransaction: benchCase.method === 'POST',
      });
    }
    return captured;
  } finally {
    await app.close();
    await pool.end();
  }
}

/** The statement's name: its leading comment (every API query has one), else its first words. */
export function firstLine(sql: string): string {
  const comment = /\/\*\s*([^*]+?)\s*\*\//.exec(sql);
  return comment?.[1] ?? sql.trim().split('\n')[0]?.slice(0, 60) ?? '';
}
