/** Pieces the domains' queries.ts build their WHERE clauses from. */
import { type FragmentSqlToken, type ListSqlToken, sql } from 'slonik';
import { totalCap } from './pagination.ts';

/** LIKE's wildcards and its escape character, escaped: "50%_off" matches literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** "50%_off" matches literally: LIKE's wildcards and its escape character are escaped. */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`;

/**
 * The pattern of an indexed search (pg_trgm, idx_clients_search): "contains" from three characters
 * on; for one or two, "starts with". A trigram index finds a contained string of three characters
 * or more, and a one- or two-character prefix through its word-start trigrams, but not one or two
 * characters anywhere: that would read every row.
 */
export const searchPattern = (text: string) => ([...text].length < 3 ? `${escapeLike(text)}%` : containsPattern(text));

/**
 * `LIMIT n` with n written into the statement's text rather than bound. PostgreSQL prices a generic
 * plan with a bound LIMIT as if it returned a tenth of the matching rows, so a prepared statement
 * (db.ts `prepared`) ending in `LIMIT $2` never switches to its generic plan: it was planned again
 * at every call (an assignee's overdue page: 0.70 ms of PostgreSQL's CPU a call instead of 0.28).
 * Each page size is then a statement of its own; the app uses a handful.
 */
export function limitOf(count: number) {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`a LIMIT must be a whole number, not ${count}`);
  // A quoted number is a constant PostgreSQL reads as bigint: LIMIT '51'.
  return sql.fragment`LIMIT ${sql.literalValue(String(count))}`;
}

/** Every condition must hold: `WHERE ${allOf(conditions)}` (start the list with TRUE if it may be empty). */
export const allOf = (conditions: FragmentSqlToken[]) => sql.join(conditions, sql.fragment` AND `);

/**
 * `SELECT count(*) AS total` of the rows `from … where` selects, counting no further than one past
 * totalCap: a broad filter's size costs about what a page of a thousand rows does, never a read of
 * every match. Pass the result to toTotal.
 *
 * `orderBy`, the list's own order, makes the count walk the index the page walks; for lists whose
 * every filter has an index in that order (tasks, the audit log). Without it the planner finds the
 * rows its cheapest way (for clients: the trigram and tag indexes, whose matches come unordered).
 */
export const cappedCount = (
  from: FragmentSqlToken,
  where: FragmentSqlToken | ListSqlToken,
  orderBy: FragmentSqlToken | null = null,
) => sql.fragment`
  SELECT count(*) AS total
  FROM (
    SELECT FROM ${from} WHERE ${where} ${orderBy === null ? sql.fragment`` : sql.fragment`ORDER BY ${orderBy}`}
    ${limitOf(totalCap + 1)}
  ) AS capped
`;
