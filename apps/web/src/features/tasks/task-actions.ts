/**
 * What the task screens share besides components: the Task type, which queries a task change makes
 * stale, and who may change or delete a task (the API's rule in access/policy.ts, mirrored so the
 * screens hide what the role may not do; the API still has the last word).
 */
import { useQueries } from '@tanstack/react-query';
import { isStaff, type Me, useUser } from '../../app/session.tsx';
import { queryClient, type RouterOutputs, trpc } from '../../app/trpc.ts';
import { todayIn } from '../../ui/time.ts';

export type Task = RouterOutputs['tasks']['get'];

/** A task's change shows in task lists, the dashboard and its client's figures. */
export function invalidateTaskViews() {
  return Promise.all([
    queryClient.invalidateQueries(trpc.tasks.pathFilter()),
    queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
    queryClient.invalidateQueries(trpc.clients.pathFilter()),
  ]);
}

/** The signed-in user's today: due dates are calendar days in their zone, never the browser's. */
export const useToday = () => todayIn(useUser().timezone);

export type TaskAccess = { canEdit: boolean; canDelete: boolean };

const sameId = (a: string | null | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** Staff: everything. A user: changes tasks assigned to them or on clients they own; deletes only the latter. */
export function accessTo(user: Me, task: Task, clientOwnerId: string | null | undefined): TaskAccess {
  if (isStaff(user)) return { canEdit: true, canDelete: true };
  const ownsClient = sameId(clientOwnerId, user.id);
  return { canEdit: ownsClient || sameId(task.assigneeId, user.id), canDelete: ownsClient };
}

/**
 * accessTo for each task. A task does not carry its client's owner, so for a `user` the owners of
 * the clients on screen are read with clients.get (one batched request, cached); staff need none.
 * While an owner is unknown the task counts as not editable: nothing is offered that may be refused.
 */
export function useTaskAccess(tasks: readonly Task[]): (task: Task) => TaskAccess {
  const user = useUser();
  const staff = isStaff(user);
  const clientIds = staff ? [] : [...new Set(tasks.map((task) => task.clientId))];
  const owners = useQueries({
    queries: clientIds.map((id) => trpc.clients.get.queryOptions({ id }, { staleTime: 60_000 })),
  });
  const ownerOf = new Map(clientIds.map((id, index) => [id, owners[index]?.data?.ownerId]));
  return (task) => accessTo(user, task, ownerOf.get(task.clientId));
}
