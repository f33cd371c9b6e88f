/**
 * Record-level access, the part of the role rules that depends on the row (roleProcedure in
 * trpc.ts handles the rest). Admins and managers reach every client, task and credential; a user
 * changes the clients they own, the tasks on those clients and the tasks assigned to them, and the
 * credentials of the clients they own. Each function loads the record's ids or throws
 * NOT_FOUND / FORBIDDEN, so a handler reads: `const client = await clientToEdit(ctx, input.id)`.
 */
import type { SessionUser } from '../auth/queries.ts';
import type { Transaction } from '../db.ts';
import { forbidden, notFound } from '../errors.ts';
import { findClientAccess, findCredentialAccess, findTaskAccess } from './queries.ts';

type Caller = { db: Transaction; user: SessionUser };

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
  return { id: task.id, clientId: task.client_id };
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
