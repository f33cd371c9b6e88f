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

const knownSpellings = new Map<string, string>(
  [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]),
);

/** The shape PostgreSQL's is_valid_timezone() accepts: "Area/Location", no offsets or abbreviations. */
const zoneShape = /^[A-Za-z][A-Za-z0-9_-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

function isKnownZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone as the caller spelled it, with the letter case fixed when the zone is in the
 * runtime's list ("europe/berlin" → "Europe/Berlin"). Current names the runtime lists under an older
 * one (Asia/Kolkata, Europe/Kyiv) are kept as typed, not swapped for the old name. PostgreSQL's
 * CHECK has the last word on what it can use.
 */
export const TimeZone = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (!zoneShape.test(value) || !isKnownZone(value)) {
      ctx.addIssue({ code: 'custom', message: 'is not a known IANA time zone (for example Europe/Berlin)' });
      return z.NEVER;
    }
    return knownSpellings.get(value.toLowerCase()) ?? value;
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

/** One tag as it is stored: trimmed and lower-cased, so "VIP " finds "vip". */
export const Tag = z.string().trim().toLowerCase().min(1, 'is required').max(50).refine(hasNoNul, noNulMessage);

/** Tags: each a Tag, unique, at most 50. */
export const Tags = z
  .array(Tag)
  .max(50)
  .transform((tags) => [...new Set(tags)]);

/** Keyset pagination: an opaque cursor from the previous page and a page size. */
export const PageInput = z.object({
  cursor: z.string().max(1000).nullish(),
  limit: z.number().int().min(1).max(100).default(25),
});
