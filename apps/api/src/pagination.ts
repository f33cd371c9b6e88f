/**
 * Keyset pagination cursors: the sort key of the last row of a page, as opaque base64url JSON.
 * The next page starts after it (`WHERE (name, id) > (...)`), so deep pages cost what the first does.
 */
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor carries, checked against `schema`; a tampered cursor is a BAD_REQUEST, not a 500. */
export function decodeCursor<S extends z.ZodType>(cursor: string | null | undefined, schema: S): z.output<S> | null {
  if (!cursor) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: fall through to the same answer as a wrong shape
  }
  throw new TRPCError({ code: 'BAD_REQUEST', message: 'cursor: is not a cursor from the previous page' });
}

/** Splits limit+1 fetched rows into a page and the cursor of the next one. */
export function toPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => unknown, map: (row: R) => T) {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
