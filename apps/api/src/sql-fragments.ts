/** Pieces the domains' queries.ts build their WHERE clauses from. */
import { type FragmentSqlToken, sql } from 'slonik';

/** "50%_off" matches literally: LIKE's wildcards and its escape character are escaped. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/** Every condition must hold: `WHERE ${allOf(conditions)}` (start the list with TRUE if it may be empty). */
export const allOf = (conditions: FragmentSqlToken[]) => sql.join(conditions, sql.fragment` AND `);
