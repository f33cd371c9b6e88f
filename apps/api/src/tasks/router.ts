/**
 * tasks.*: every signed-in role reads every task. Managers and admins create, change and delete any
 * task. A `user` adds tasks to the clients they own; changes (update, setStatus) the tasks of those
 * clients and the tasks assigned to them (access/policy.ts); moves a task only to a client they own;
 * and deletes only the tasks of clients they own: an assignee may finish a task, not erase it.
 */
import { TaskCreateInput, TaskIdInput, TaskListInput, TaskSetStatusInput, TaskUpdateInput } from '@mini-crm/models';
import { TRPCError } from '@trpc/server';
import { clientToEdit, referencedUserId, taskToDelete, taskToEdit } from '../access/policy.ts';
import type { RequestDb } from '../db.ts';
import { fieldError, notFound } from '../errors.ts';
import { decodeCursor, pageTotal, toPage } from '../pagination.ts';
import { authedProcedure, router } from '../trpc.ts';
import {
  countTasks,
  deleteTask,
  findTask,
  insertTask,
  listTasks,
  TaskCursor,
  type TaskRow,
  updateTask,
} from './queries.ts';

/** The API's task: uuids as ids, the client and the assignee as small objects, dates as text. */
export const toTask = (row: TaskRow) => ({
  id: row.uuid,
  title: row.title,
  description: row.description,
  status: row.status,
  priority: row.priority,
  dueDate: row.due_date,
  isOpen: row.is_open,
  urgency: row.urgency_status,
  clientId: row.client_uuid,
  client: { id: row.client_uuid, name: row.client_name, company: row.client_company },
  assigneeId: row.assigned_user_uuid,
  assignee:
    row.assigned_user_uuid === null
      ? null
      : { id: row.assigned_user_uuid, name: row.assigned_user_name ?? '', email: row.assigned_user_email ?? '' },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
export type Task = ReturnType<typeof toTask>;

type Caller = Parameters<typeof clientToEdit>[0];

async function readTask(db: RequestDb, uuid: string) {
  const task = await findTask(db, uuid);
  if (!task) throw notFound('task');
  return toTask(task);
}

/**
 * The client a task is added to or moved to: one the caller may change. The refusals name the
 * field, so a form shows them beside the client picker.
 */
async function targetClient(ctx: Caller, clientUuid: string) {
  try {
    return await clientToEdit(ctx, clientUuid);
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.code === 'NOT_FOUND') throw fieldError('clientId', 'is not a client', 'NOT_FOUND');
    if (error.code === 'FORBIDDEN') {
      throw fieldError('clientId', 'a user may only put tasks on clients they own', 'FORBIDDEN');
    }
    throw error;
  }
}

/** uuids compare case-insensitively (a client may send them upper-case); null equals only null. */
const sameId = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : a.toLowerCase() === b.toLowerCase();

export const tasksRouter = router({
  list: authedProcedure.input(TaskListInput).query(async ({ ctx, input }) => {
    const filters = {
      clientId: input.clientId ?? null,
      assigneeId: input.assigneeId ?? null,
      status: input.status ?? null,
      priority: input.priority ?? null,
      urgency: input.urgency ?? null,
      isOpen: input.isOpen ?? null,
      dueFrom: input.dueFrom ?? null,
      dueTo: input.dueTo ?? null,
      search: input.search,
    };
    const after = decodeCursor(input.cursor, TaskCursor);
    const rows = await listTasks(ctx.db, filters, after, input.limit);
    const total = await pageTotal(rows, input.limit, after, () => countTasks(ctx.db, filters));
    return { ...toPage(rows, input.limit, (row) => [row.due_date, row.uuid], toTask), ...total };
  }),

  get: authedProcedure.input(TaskIdInput).query(({ ctx, input }) => readTask(ctx.db, input.id)),

  create: authedProcedure.input(TaskCreateInput).mutation(async ({ ctx, input }) => {
    const client = await targetClient(ctx, input.clientId);
    const assignedUserId = await referencedUserId(ctx.db, 'assigneeId', input.assigneeId);
    const uuid = await insertTask(ctx.db, {
      clientId: client.id,
      title: input.title,
      description: input.description,
      status: input.status,
      priority: input.priority,
      dueDate: input.dueDate,
      assignedUserId,
    });
    return readTask(ctx.db, uuid);
  }),

  /**
   * Only the fields present change. A form may re-send the unchanged client and assignee: neither
   * is checked again (an assignee deactivated since stays, and an assignee editing a task on
   * someone else's client is not refused for naming that client).
   */
  update: authedProcedure.input(TaskUpdateInput).mutation(async ({ ctx, input }) => {
    const { id, clientId, assigneeId, ...changes } = input;
    const task = await taskToEdit(ctx, id);
    const current = await findTask(ctx.db, id);
    if (!current) throw notFound('task');
    let movedToClientId: number | undefined;
    if (clientId !== undefined && !sameId(clientId, current.client_uuid)) {
      movedToClientId = (await targetClient(ctx, clientId)).id;
    }
    let assignedUserId: number | null | undefined;
    if (assigneeId !== undefined && !sameId(assigneeId, current.assigned_user_uuid)) {
      assignedUserId = await referencedUserId(ctx.db, 'assigneeId', assigneeId);
    }
    await updateTask(ctx.db, task.id, { ...changes, clientId: movedToClientId, assignedUserId });
    return readTask(ctx.db, id);
  }),

  setStatus: authedProcedure.input(TaskSetStatusInput).mutation(async ({ ctx, input }) => {
    const task = await taskToEdit(ctx, input.id);
    await updateTask(ctx.db, task.id, { status: input.status });
    return readTask(ctx.db, input.id);
  }),

  delete: authedProcedure.input(TaskIdInput).mutation(async ({ ctx, input }) => {
    const task = await taskToDelete(ctx, input.id);
    const uuid = await deleteTask(ctx.db, task.id);
    if (uuid === null) throw notFound('task');
    return { id: uuid };
  }),
});
