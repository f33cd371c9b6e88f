/**
 * User management (users.*). The admin's forms validate with these schemas and the API parses with
 * them; `z.input` types are what a form sends, so defaults (role, time zone, page size) may be left out.
 */
import { z } from 'zod';
import { Email, Id, PageInput, Password, requiredText, SearchText, TimeZone } from './common.ts';
import { UserRole } from './enums.ts';

/** Filters and page of users.list; every filter is optional and they combine with AND. */
export const UserListInput = PageInput.extend({
  /** Part of the name or the e-mail, any letter case. */
  search: SearchText,
  role: UserRole.nullish(),
  isActive: z.boolean().nullish(),
});
export type UserListInput = z.input<typeof UserListInput>;

export const UserIdInput = z.object({ id: Id });
export type UserIdInput = z.input<typeof UserIdInput>;

export const UserCreateInput = z.object({
  email: Email,
  name: requiredText(255),
  role: UserRole.default('user'),
  timezone: TimeZone.default('UTC'),
  password: Password,
});
export type UserCreateInput = z.input<typeof UserCreateInput>;

/** Only the fields present change; the password has its own procedure (users.resetPassword). */
export const UserUpdateInput = z.object({
  id: Id,
  email: Email.optional(),
  name: requiredText(255).optional(),
  role: UserRole.optional(),
  timezone: TimeZone.optional(),
});
export type UserUpdateInput = z.input<typeof UserUpdateInput>;

export const ResetPasswordInput = z.object({
  id: Id,
  password: Password,
});
export type ResetPasswordInput = z.input<typeof ResetPasswordInput>;
