/**
 * Record-level access, the part of the role rules that depends on the row (roleProcedure in
 * trpc.ts handles the rest). Admins and managers reach every client, task and credential; a user
 * changes the clients they own, the tasks on those clients and the tasks assigned to them, and the
 * credentials of the clients they own. Each function loads the record's ids or throws
 * NOT_FOUND / FORBIDDEN, so a handler reads: `const client = await clientToEdit(ctx, input.id)`.
 */
import type { SessionUser } from '../auth/queries.ts';
import type { RequestDb } from '../db.ts';
import { fieldError, forbidden, notFound } from '../errors.ts';
import { findClientAccess, findCredentialAccess, findTaskAccess, lockReferencedUser } from './queries.ts';

type Caller = { db: RequestDb; user: SessionUser };

/** Admins and managers see and change every client, task and credential. */
export const isStaff = (user: SessionUser) => user.role === 'admin' || user.role === 'manager';

export async function clientToEdit({ db, user }: Caller, clientUuid: string) {
  const client = await findClientAccess(db, clientUuid);
  if (!client) throw notFound('client');
  if (!isStaff(user) && client.owner_user_id !== user.id) {
    throw forbidden('only the client’s owner, a manager or an admin may change this client');
  }
  return { id: client.id, ownerUserId: client.owner_user_id };
}

export async function taskToEdit({ db, user }: Caller, taskUuid: string) {
  const task = await findTaskAccess(db, taskUuid);
  if (!task) throw notFound('task');
  if (!isStaff(user) && task.owner_user_id !== user.id && task.assigned_user_id !== user.id) {
    throw forbidden('only the task’s assignee, the client’s owner, a manager or an admin may change this task');
  }
  return { id: task.id, clientId: task.client_id, ownerUserId: task.owner_user_id };
}

/** Deleting is for the client's owner and staff: an assignee may finish a task, not erase it. */
export async function taskToDelete(caller: Caller, taskUuid: string) {
  const task = await taskToEdit(caller, taskUuid);
  if (!isStaff(caller.user) && task.ownerUserId !== caller.user.id) {
    throw forbidden('only the client’s owner, a manager or an admin may delete this task');
  }
  return task;
}

/** For reading, revealing and changing a credential alike: the vault is the client owner's. */
export async function credentialToUse({ db, user }: Caller, credentialUuid: string) {
  const credential = await findCredentialAccess(db, credentialUuid);
  if (!credential) throw notFound('credential');
  if (!isStaff(user) && credential.owner_user_id !== user.id) {
    throw forbidden('only the client’s owner, a manager or an admin may use its credentials');
  }
  return { id: credential.id, clientId: credential.client_id };
}

/**
 * The users.id a record will point to (a client's owner, a task's assignee): an existing, active
 * user; null stays null. `currentId` is accepted as it is, so a form re-sending an unchanged owner
 * does not fail because that user was deactivated since.
 */
export async function referencedUserId(
  db: RequestDb,
  field: string,
  userUuid: string | null,
  currentId: number | null = null,
) {
  if (userUuid === null) return null;
  const user = await lockReferencedUser(db, userUuid);
  if (!user) throw fieldError(field, 'is not a user');
  if (!user.is_active && user.id !== currentId) throw fieldError(field, 'is not an active user');
  return user.id;
}
