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

/** Lists count their matches up to this many; beyond it they say "more than" (totalIsCapped). */
export const totalCap = 1000;

/**
 * A list's size as the API reports it: `total` is exact while `totalIsCapped` is false; when true,
 * more than `total` (= totalCap) rows match and the list shows "1000+".
 */
export type Total = { total: number; totalIsCapped: boolean };

/** From a count made by cappedCount (at most totalCap + 1). */
export const toTotal = (count: number): Total => ({
  total: Math.min(count, totalCap),
  totalIsCapped: count > totalCap,
});

/** From a count that is exact however large (a maintained figure). */
export const exactTotal = (count: number): Total => ({ total: count, totalIsCapped: false });

/**
 * A list's total for the page `rows` (limit + 1 fetched): when it is the first page and holds every
 * match, its size, with no statement run; else what `count` says (capped, or a maintained figure).
 * Most filtered lists (a client's tasks, a rare tag) fit on their first page.
 */
export const pageTotal = (
  rows: readonly unknown[],
  limit: number,
  after: unknown,
  count: () => Promise<Total>,
): Promise<Total> => (after === null && rows.length <= limit ? Promise.resolve(exactTotal(rows.length)) : count());
