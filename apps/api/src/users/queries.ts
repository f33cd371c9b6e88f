/**
 * SQL of users.*. No query here reads password_hash: the columns below are all a user row ever
 * carries out of this module, so a hash cannot reach a response by accident.
 */
import { UserRole } from '@mini-crm/models';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { type Total, toTotal } from '../pagination.ts';
import { Timestamp, TotalRow } from '../rows.ts';
import { allOf, cappedCount, containsPattern, limitOf } from '../sql-fragments.ts';

export const UserRow = z.object({
  uuid: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: UserRole,
  is_active: z.boolean(),
  timezone: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type UserRow = z.output<typeof UserRow>;

const userColumns = sql.fragment`u.uuid, u.email, u.name, u.role, u.is_active, u.timezone, u.created_at, u.updated_at`;

/** The list's sort key rides along: lower() in PostgreSQL, so the cursor matches the ORDER BY exactly. */
const UserListRow = UserRow.extend({ sort_name: z.string() });
export type UserListRow = z.output<typeof UserListRow>;

const byName = sql.fragment`lower(u.name), u.uuid`;

/** The list's cursor: the last row's (lower(name), uuid). */
export const UserCursor = z.tuple([z.string().refine((name) => !name.includes('\u0000')), z.uuid()]);

export type UserFilters = { search: string | null; role: UserRole | null; isActive: boolean | null };

function filterConditions(filters: UserFilters) {
  const conditions = [sql.fragment`TRUE`];
  if (filters.search !== null) {
    const pattern = containsPattern(filters.search);
    conditions.push(sql.fragment`(u.name ILIKE ${pattern} OR u.email ILIKE ${pattern})`);
  }
  if (filters.role !== null) conditions.push(sql.fragment`u.role = ${filters.role}`);
  if (filters.isActive !== null) conditions.push(sql.fragment`u.is_active = ${filters.isActive}`);
  return conditions;
}

/**
 * One page by (lower(name), uuid): a letter-case-blind name order (the database collates in C),
 * served by idx_users_name_lower, which indexes exactly that expression.
 */
export function listUsers(
  db: CommonQueryMethods,
  filters: UserFilters,
  after: z.output<typeof UserCursor> | null,
  limit: number,
) {
  const conditions = filterConditions(filters);
  if (after) conditions.push(sql.fragment`(lower(u.name), u.uuid) > (${after[0]}, ${after[1]}::uuid)`);
  return db.any(sql.type(UserListRow)`
    /* users.list */
    SELECT ${userColumns}, lower(u.name) AS sort_name
    FROM users u
    WHERE ${allOf(conditions)}
    ORDER BY ${byName}
    ${limitOf(limit + 1)}
  `);
}

/** The list's size, up to totalCap (as every list's). */
export const countUsers = async (db: CommonQueryMethods, filters: UserFilters): Promise<Total> =>
  toTotal(
    await db.oneFirst(sql.type(TotalRow)`
      /* users.count */ ${cappedCount(sql.fragment`users u`, allOf(filterConditions(filters)), byName)}
    `),
  );

export const findUser = (db: CommonQueryMethods, uuid: string) =>
  db.maybeOne(sql.type(UserRow)`/* users.get */ SELECT ${userColumns} FROM users u WHERE u.uuid = ${uuid}`);

const UserKeyRow = z.object({ id: z.number().int(), role: UserRole, is_active: z.boolean() });

/** The internal id and the state the lock-out rules look at, with the row locked until commit. */
export const lockUser = (db: CommonQueryMethods, uuid: string) =>
  db.maybeOne(sql.type(UserKeyRow)`
    /* users.lock */
    SELECT u.id, u.role, u.is_active FROM users u WHERE u.uuid = ${uuid} FOR UPDATE
  `);

/**
 * Serialises every change that can take away an active admin (a demotion, a deactivation) across
 * API instances, so two admins demoting each other at once cannot both succeed and leave none.
 * Taken before any row lock, so it cannot close a deadlock cycle.
 */
export const lockAdminChanges = (db: CommonQueryMethods) =>
  db.query(sql.unsafe`/* users.lockAdminChanges */ SELECT pg_advisory_xact_lock(hashtext('mini_crm.users.admins'))`);

const ExistsRow = z.object({ is_found: z.boolean() });

export const hasOtherActiveAdmin = (db: CommonQueryMethods, exceptUserId: number) =>
  db.oneFirst(sql.type(ExistsRow)`
    /* users.hasOtherActiveAdmin */
    SELECT EXISTS (SELECT FROM users WHERE role = 'admin' AND is_active AND id <> ${exceptUserId}) AS is_found
  `);

export const insertUser = (
  db: CommonQueryMethods,
  user: { email: string; name: string; role: UserRole; timezone: string; passwordHash: string },
) =>
  db.one(sql.type(UserRow)`
    /* users.create */
    INSERT INTO users AS u (email, name, role, timezone, password_hash)
    VALUES (${user.email}, ${user.name}, ${user.role}, ${user.timezone}, ${user.passwordHash})
    RETURNING ${userColumns}
  `);

export type UserChanges = {
  email?: string | undefined;
  name?: string | undefined;
  role?: UserRole | undefined;
  timezone?: string | undefined;
  isActive?: boolean | undefined;
  passwordHash?: string | undefined;
};

/** Sets only the given columns; with none it reads the row unchanged (updated_at stays). */
export function updateUser(db: CommonQueryMethods, userId: number, changes: UserChanges) {
  const sets = [];
  if (changes.email !== undefined) sets.push(sql.fragment`email = ${changes.email}`);
  if (changes.name !== undefined) sets.push(sql.fragment`name = ${changes.name}`);
  if (changes.role !== undefined) sets.push(sql.fragment`role = ${changes.role}`);
  if (changes.timezone !== undefined) sets.push(sql.fragment`timezone = ${changes.timezone}`);
  if (changes.isActive !== undefined) sets.push(sql.fragment`is_active = ${changes.isActive}`);
  if (changes.passwordHash !== undefined) sets.push(sql.fragment`password_hash = ${changes.passwordHash}`);
  if (sets.length === 0) {
    return db.one(sql.type(UserRow)`/* users.read */ SELECT ${userColumns} FROM users u WHERE u.id = ${userId}`);
  }
  return db.one(sql.type(UserRow)`
    /* users.update */
    UPDATE users AS u SET ${sql.join(sets, sql.fragment`, `)}
    WHERE u.id = ${userId}
    RETURNING ${userColumns}
  `);
}
