/**
 * Column types as the API sends them. Slonik reads timestamptz as epoch milliseconds and counts as
 * bigint; the API's contract is ISO 8601 strings and plain numbers.
 */
import { z } from 'zod';

/** timestamptz → "2026-11-25T09:30:00.000Z" (ISO 8601, UTC offset). */
export const Timestamp = z.number().transform((ms) => new Date(ms).toISOString());
export const NullableTimestamp = Timestamp.nullable();

/** count(*) and other int8 results → number (far below 2^53 for this data). */
export const Count = z.union([z.bigint(), z.number()]).transform(Number);

/** A DATE column: PostgreSQL's YYYY-MM-DD text, passed through. */
export const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** `SELECT count(*) AS total …`: the size of a filtered list. */
export const TotalRow = z.object({ total: Count });
