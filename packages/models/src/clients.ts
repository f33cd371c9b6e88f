/**
 * Clients (clients.*). The API parses with these schemas and the SPA's forms validate with the same
 * objects; `z.input` types are what a form sends, so defaults (status, time zone, sort, page size)
 * may be left out.
 */
import { z } from 'zod';
import {
  HttpUrl,
  Id,
  OptionalEmail,
  optionalText,
  PageInput,
  requiredText,
  SearchText,
  Tag,
  Tags,
  TimeZone,
} from './common.ts';
import { ClientStatus } from './enums.ts';

/** List orders; a leading "-" means descending. Ties are broken by id, so pages never overlap. */
export const ClientSort = z.enum(['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt']);
export type ClientSort = z.infer<typeof ClientSort>;

/** "any": clients with at least one of the tags; "all": clients with every one of them. */
export const TagMatch = z.enum(['any', 'all']);
export type TagMatch = z.infer<typeof TagMatch>;

/** Filters and page of clients.list; the filters combine with AND. A cursor is only valid for its sort. */
export const ClientListInput = PageInput.extend({
  /** Part of the name, the company or the e-mail, any letter case; % and _ are plain characters. */
  search: SearchText,
  status: ClientStatus.nullish(),
  tags: Tags.nullish(),
  tagMatch: TagMatch.default('any'),
  /** The owner's user id. */
  ownerId: Id.nullish(),
  sort: ClientSort.default('name'),
});
export type ClientListInput = z.input<typeof ClientListInput>;

export const ClientIdInput = z.object({ id: Id });
export type ClientIdInput = z.input<typeof ClientIdInput>;

export const ClientTagInput = z.object({ tag: Tag });
export type ClientTagInput = z.input<typeof ClientTagInput>;

/** The editable fields; blank optional text is stored as NULL. */
const clientFields = {
  name: requiredText(255),
  company: optionalText(255),
  email: OptionalEmail,
  phone: optionalText(50),
  status: ClientStatus,
  tags: Tags,
  timezone: TimeZone,
  websiteUrl: HttpUrl,
  notes: optionalText(10_000),
  /** The owning user's id; null for no owner. Only managers and admins may name someone else. */
  ownerId: Id.nullable(),
};

/** ownerId left out means "the caller owns it". */
export const ClientCreateInput = z.object({
  ...clientFields,
  status: clientFields.status.default('active'),
  tags: clientFields.tags.default([]),
  timezone: clientFields.timezone.default('UTC'),
  ownerId: clientFields.ownerId.optional(),
});
export type ClientCreateInput = z.input<typeof ClientCreateInput>;

/** Only the fields present change; null clears a nullable field (company, email, phone, websiteUrl, notes, ownerId). */
export const ClientUpdateInput = z.object({
  id: Id,
  name: clientFields.name.optional(),
  company: clientFields.company.optional(),
  email: clientFields.email.optional(),
  phone: clientFields.phone.optional(),
  status: clientFields.status.optional(),
  tags: clientFields.tags.optional(),
  timezone: clientFields.timezone.optional(),
  websiteUrl: clientFields.websiteUrl.optional(),
  notes: clientFields.notes.optional(),
  ownerId: clientFields.ownerId.optional(),
});
export type ClientUpdateInput = z.input<typeof ClientUpdateInput>;
