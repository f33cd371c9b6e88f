/**
 * The Slonik pool, and the one transaction helper every request goes through. Rows are validated
 * against the zod schema of their query (`sql.type(Row)`), so a query whose columns drift from its
 * type fails loudly instead of sending wrong data.
 */

import { createHash } from 'node:crypto';
import { UserRole } from '@mini-crm/models';
import { createPgDriverFactory } from '@slonik/pg-driver';
import {
  type CommonQueryMethods,
  createPool,
  type DatabasePool,
  type DatabaseTransactionConnection,
  type FragmentSqlToken,
  type Interceptor,
  type QuerySqlToken,
  SchemaValidationError,
  sql,
} from 'slonik';
import { z } from 'zod';

// Synchronous on purpose: slonik runs an async row transform through a queue, a task per row,
// which cost more than the validation itself on a page of fifty rows. Row schemas are plain zod.
const rowValidation: Interceptor = {
  name: 'row-validation',
  transformRow: (context, query, row) => {
    if (!context.resultParser) return row;
    const result = context.resultParser['~standard'].validate(row);
    if (result instanceof Promise) throw new Error(`the row schema of ${query.sql.slice(0, 60)} is asynchronous`);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
  },
};

export async function createDatabasePool(
  url: string,
  options: { maximumPoolSize?: number } = {},
): Promise<DatabasePool> {
  return createPool(url, {
    driverFactory: createPgDriverFactory(),
    interceptors: [rowValidation],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    connectionTimeout: 5_000,
    statementTimeout: 30_000,
    // slonik runs DISCARD ALL whenever a connection goes back to the pool: a round trip, twice a
    // request, and it would drop the prepared statements (`prepared`). What a connection keeps is
    // those and the settings of the last read outside a transaction (scopeSettings), which the next
    // request's first statement replaces; no temp table, LISTEN or other SET.
    resetConnection: async () => {},
  });
}

export type Transaction = DatabaseTransactionConnection;

/**
 * A procedure's `ctx.db`: the request's transaction, or for a read (trpc.ts) the pooled connection
 * its statements run on one by one. Either way its first statement named the caller (scopeSettings).
 */
export type RequestDb = CommonQueryMethods;

const preparedNames = new Map<string, string>();
/** Each connection keeps every statement it prepared; past this many shapes, new ones run unnamed. */
const maxPreparedShapes = 500;

/**
 * The query as a named prepared statement: each pooled connection parses its text once and, once
 * PostgreSQL settles on a generic plan, plans it once; an unnamed statement is parsed, rewritten
 * and planned at every call.
 * For this schema's views that preparation costs several times the execution (clients.get: 0.6 ms
 * of PostgreSQL's CPU a call unnamed, 0.1 ms named). After five calls PostgreSQL may switch to one
 * generic plan for all values, so this is only for statements whose best plan does not depend on
 * the values: lookups by key, one owner's or assignee's rows, fixed literal conditions. Never for a
 * search or a tag filter, whose best plan depends on how common the value is; nor for a range of
 * bound values (a page after a cursor, a date range), whose generic plan PostgreSQL prices at a
 * third of the table and so never uses: it plans those for their values at every call, named or
 * not. A LIMIT is written into the text for the same reason (sql-fragments.ts limitOf).
 * plans.test.ts checks the generic plan of every prepared statement it runs, and that PostgreSQL
 * does switch to it. The name is the statement's tag and a hash of its text, so a query built from
 * optional fragments gets one statement per shape. With `when` false (a list filtered by a search,
 * say) the query runs unnamed, planned for its values.
 */
export function prepared<T extends QuerySqlToken>(query: T, when = true): T {
  if (!when) return query;
  let name = preparedNames.get(query.sql);
  if (name === undefined) {
    if (preparedNames.size >= maxPreparedShapes) return query;
    const tag = /\/\*\s*([\w.]+)\s*\*\//.exec(query.sql)?.[1] ?? 'query';
    name = `${tag.slice(0, 40)}:${createHash('sha256').update(query.sql).digest('base64url').slice(0, 16)}`;
    preparedNames.set(query.sql, name);
  }
  return { ...query, name };
}

/** Who is asking, from where, and whose "today": what triggers and views read from app.* settings. */
export type RequestScope = {
  /** users.id of the caller, or null before sign-in. */
  userId: number | null;
  /** A valid IPv4/IPv6 address, or null. */
  ip: string | null;
  userAgent: string | null;
  /** The caller's IANA zone: CURRENT_DATE, overdue and due_today follow it. */
  timeZone: string;
};

const Scope = z.object({ caller_role: UserRole.nullable() });

/** What the transaction's first statement read about the caller, as of the transaction's start. */
export type CallerNow = { role: UserRole | null };

/**
 * Runs `work` in one transaction whose settings name the caller: the audit trigger records
 * app.user_id / app.ip_address / app.user_agent, and TimeZone makes CURRENT_DATE the caller's.
 * Values travel as bind parameters. `ip` must be a valid address or null (the audit column is INET;
 * createContext checks it). The same statement reads the caller's role, or null when the account is
 * inactive or gone, so a request that waited for a connection sees a deactivation or a new role.
 */
export function inRequestTransaction<T>(
  pool: DatabasePool,
  scope: RequestScope,
  work: (tx: Transaction, caller: CallerNow) => Promise<T>,
): Promise<T> {
  return pool.transaction(async (tx) => {
    const { caller_role: role } = await tx.one(sql.type(Scope)`
      /* request.scope */
      SELECT
        (SELECT role FROM users WHERE id = ${scope.userId} AND is_active) AS caller_role,
        ${scopeSettings({
          userId: sql.fragment`${scope.userId === null ? '' : String(scope.userId)}`,
          ip: scope.ip,
          userAgent: scope.userAgent,
          timeZone: sql.fragment`${scope.timeZone}`,
          isTransactionLocal: true,
        })}
    `);
    return work(tx, { role });
  });
}

/**
 * The set_config calls of a request's first statement. `userId` (text, '' for nobody) and
 * `timeZone` are SQL: bound values, or columns of that statement (the session's user).
 * In a transaction they end with it. A read outside one (trpc.ts) sets them for the connection's
 * session, where they stay until the next request's first statement sets its own. Nothing that
 * reads them (the audit triggers, the views' "today") runs before that statement: the few statements
 * run on the pool directly (sign-in's throttle and lookup, logout, the health check) read none.
 */
export const scopeSettings = (scope: {
  userId: FragmentSqlToken;
  ip: string | null;
  userAgent: string | null;
  timeZone: FragmentSqlToken;
  isTransactionLocal: boolean;
}) => sql.fragment`
  set_config('app.user_id', ${scope.userId}, ${scope.isTransactionLocal}),
  set_config('app.ip_address', ${scope.ip ?? ''}, ${scope.isTransactionLocal}),
  set_config('app.user_agent', ${scope.userAgent ?? ''}, ${scope.isTransactionLocal}),
  set_config('TimeZone', ${scope.timeZone}, ${scope.isTransactionLocal})
`;
