/**
 * users.*: every signed-in role may read users (to pick an assignee or an owner); only admins change
 * them. Whatever changes what an account may do (deactivation, a new password, a new role) ends all
 * of its sessions in the same transaction. Lock-out guards: an admin cannot deactivate or re-role
 * themselves, and the last active admin stays an active admin.
 */
import {
  ResetPasswordInput,
  UserCreateInput,
  UserIdInput,
  UserListInput,
  type UserRole,
  UserUpdateInput,
} from '@mini-crm/models';
import { hashPassword } from '../auth/passwords.ts';
import { deleteUserSessions } from '../auth/queries.ts';
import type { RequestDb } from '../db.ts';
import { fieldError, notFound } from '../errors.ts';
import { decodeCursor, pageTotal, toPage } from '../pagination.ts';
import { authedProcedure, roleProcedure, router } from '../trpc.ts';
import {
  countUsers,
  findUser,
  hasOtherActiveAdmin,
  insertUser,
  listUsers,
  lockAdminChanges,
  lockUser,
  UserCursor,
  type UserRow,
  updateUser,
} from './queries.ts';

/** What the API tells about a user: the uuid as id, never the serial id nor the password hash. */
export const toUser = (row: UserRow) => ({
  id: row.uuid,
  email: row.email,
  name: row.name,
  role: row.role,
  isActive: row.is_active,
  timezone: row.timezone,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
export type User = ReturnType<typeof toUser>;

const adminProcedure = roleProcedure('admin');

async function lockedUser(db: RequestDb, uuid: string) {
  const user = await lockUser(db, uuid);
  if (!user) throw notFound('user');
  return user;
}

/** Refuses to take away the last active admin; call with lockAdminChanges held. */
async function keepAnActiveAdmin(
  db: RequestDb,
  target: { id: number; role: UserRole; is_active: boolean },
  field: string,
  message: string,
) {
  if (target.role !== 'admin' || !target.is_active) return;
  if (!(await hasOtherActiveAdmin(db, target.id))) throw fieldError(field, message, 'CONFLICT');
}

export const usersRouter = router({
  list: authedProcedure.input(UserListInput).query(async ({ ctx, input }) => {
    const filters = { search: input.search, role: input.role ?? null, isActive: input.isActive ?? null };
    const after = decodeCursor(input.cursor, UserCursor);
    const rows = await listUsers(ctx.db, filters, after, input.limit);
    const total = await pageTotal(rows, input.limit, after, () => countUsers(ctx.db, filters));
    return { ...toPage(rows, input.limit, (row) => [row.sort_name, row.uuid], toUser), ...total };
  }),

  get: authedProcedure.input(UserIdInput).query(async ({ ctx, input }) => {
    const user = await findUser(ctx.db, input.id);
    if (!user) throw notFound('user');
    return toUser(user);
  }),

  create: adminProcedure.input(UserCreateInput).mutation(async ({ ctx, input }) => {
    const { password, ...user } = input;
    return toUser(await insertUser(ctx.db, { ...user, passwordHash: await hashPassword(password) }));
  }),

  /** A role change ends the user's sessions: their open pages must not keep the old rights. */
  update: adminProcedure.input(UserUpdateInput).mutation(async ({ ctx, input }) => {
    const { id, ...changes } = input;
    if (changes.role !== undefined) await lockAdminChanges(ctx.db);
    const target = await lockedUser(ctx.db, id);
    const isRoleChange = changes.role !== undefined && changes.role !== target.role;
    if (isRoleChange) {
      if (target.id === ctx.user.id) throw fieldError('role', 'you cannot change your own role');
      await keepAnActiveAdmin(ctx.db, target, 'role', 'the last active admin cannot lose the admin role');
    }
    const updated = await updateUser(ctx.db, target.id, changes);
    if (isRoleChange) await deleteUserSessions(ctx.db, target.id);
    ctx.sessions.forgetUser(target.id); // a new name, zone or role: their next read reads them
    return toUser(updated);
  }),

  deactivate: adminProcedure.input(UserIdInput).mutation(async ({ ctx, input }) => {
    await lockAdminChanges(ctx.db);
    const target = await lockedUser(ctx.db, input.id);
    if (target.id === ctx.user.id) throw fieldError('id', 'you cannot deactivate yourself');
    await keepAnActiveAdmin(ctx.db, target, 'id', 'the last active admin cannot be deactivated');
    const updated = await updateUser(ctx.db, target.id, { isActive: false });
    await deleteUserSessions(ctx.db, target.id);
    ctx.sessions.forgetUser(target.id);
    return toUser(updated);
  }),

  reactivate: adminProcedure.input(UserIdInput).mutation(async ({ ctx, input }) => {
    const target = await lockedUser(ctx.db, input.id);
    return toUser(await updateUser(ctx.db, target.id, { isActive: true }));
  }),

  /**
   * Sets another user's password without knowing the old one. An admin's own goes through
   * auth.changePassword, which asks for the current one: a borrowed session must not be enough.
   */
  resetPassword: adminProcedure.input(ResetPasswordInput).mutation(async ({ ctx, input }) => {
    const passwordHash = await hashPassword(input.password); // before the row lock: bcrypt takes a while
    const target = await lockedUser(ctx.db, input.id);
    if (target.id === ctx.user.id) {
      throw fieldError('id', 'change your own password under your profile (it asks for the current one)');
    }
    const updated = await updateUser(ctx.db, target.id, { passwordHash });
    await deleteUserSessions(ctx.db, target.id);
    ctx.sessions.forgetUser(target.id);
    return toUser(updated);
  }),
});
