/**
 * Field schemas shared by every domain: one definition of an id, an e-mail, a time zone, a page.
 * The API parses its inputs with them and the web forms validate with the same objects.
 */
import { z } from 'zod';

/** Records are addressed by their uuid outside the database; serial ids stay internal. */
export const Id = z.uuid();

/** PostgreSQL text cannot hold NUL characters; refusing them here names the field. */
export const hasNoNul = (value: string) => !value.includes('\u0000');
export const noNulMessage = 'must not contain NUL characters';

/** A required line of text: trimmed, not blank, within the column's VARCHAR length. */
export const requiredText = (max: number) =>
  z.string().trim().min(1, 'is required').max(max).refine(hasNoNul, noNulMessage);

/** An optional line of text: trimmed; blank becomes null so "clear the field" stores NULL. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(hasNoNul, noNulMessage)
    .nullish()
    .transform((value) => (value ? value : null));

/** A free-text filter: trimmed; blank means "no filter", so an emptied search box lists everything. */
export const SearchText = optionalText(255);

export const Email = z.string().trim().toLowerCase().max(255).pipe(z.email('is not a valid e-mail address'));

export const OptionalEmail = z
  .string()
  .trim()
  .max(255)
  .nullish()
  .transform((value) => (value ? value.toLowerCase() : null))
  .pipe(z.email('is not a valid e-mail address').nullable());

export const HttpUrl = z
  .string()
  .trim()
  .max(500)
  .nullish()
  .transform((value) => (value ? value : null))
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).nullable());

const timeZones = new Map<string, string>(
  [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]),
);

/**
 * An IANA time zone, normalised to its canonical spelling ("europe/berlin" → "Europe/Berlin"):
 * PostgreSQL would accept either, and one spelling keeps filters and reports consistent.
 */
export const TimeZone = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const zone = timeZones.get(value.toLowerCase());
    if (!zone) {
      ctx.addIssue({ code: 'custom', message: 'is not a known IANA time zone (for example Europe/Berlin)' });
      return z.NEVER;
    }
    return zone;
  });

/** bcrypt reads at most 72 bytes; longer passwords would be silently cut, so they are refused. */
export const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .refine((value) => new TextEncoder().encode(value).length <= 72, 'must be at most 72 bytes');

/** A calendar date, YYYY-MM-DD, within the range the tasks table accepts. */
export const CalendarDate = z.iso
  .date('must be a date (YYYY-MM-DD)')
  .refine((value) => value >= '2000-01-01' && value <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

/** Tags: trimmed, non-empty, unique, at most 50 of 50 characters. */
export const Tags = z
  .array(z.string().trim().toLowerCase().min(1).max(50))
  .max(50)
  .transform((tags) => [...new Set(tags)]);

/** Keyset pagination: an opaque cursor from the previous page and a page size. */
export const PageInput = z.object({
  cursor: z.string().max(1000).nullish(),
  limit: z.number().int().min(1).max(100).default(25),
});

export type Page<T> = { items: T[]; nextCursor: string | null; total: number };
