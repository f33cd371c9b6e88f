/**
 * clients.*: every signed-in role reads every client. Anyone signed in creates clients; a `user`
 * owns what they create and changes only the clients they own (access/policy.ts). Only managers and
 * admins choose or change an owner, and only they delete. A client with credentials is never
 * deleted: the cascade would erase the credentials' audit trail, so it is archived instead.
 */
import { ClientCreateInput, ClientIdInput, ClientListInput, ClientTagInput, ClientUpdateInput } from '@mini-crm/models';
import { TRPCError } from '@trpc/server';
import { clientToEdit, isStaff, referencedUserId } from '../access/policy.ts';
import type { SessionUser } from '../auth/queries.ts';
import type { RequestDb } from '../db.ts';
import { fieldError, notFound } from '../errors.ts';
import { decodeCursor, pageTotal, toPage, toTotal } from '../pagination.ts';
import { authedProcedure, roleProcedure, router } from '../trpc.ts';
import {
  type ClientDetailRow,
  type ClientRow,
  clientCursor,
  countClients,
  countTags,
  deleteClient,
  findClient,
  hasCredentials,
  insertClient,
  listClients,
  listClientsByTag,
  lockClientForDelete,
  updateClient,
} from './queries.ts';

/** A list item: the uuid as id, the owner as {id, name, email}; notes and figures only in get. */
export const toClientItem = (row: ClientRow) => ({
  id: row.uuid,
  name: row.name,
  company: row.company,
  email: row.email,
  phone: row.phone,
  status: row.status,
  tags: row.tags,
  timezone: row.timezone,
  websiteUrl: row.website_url,
  ownerId: row.owner_uuid,
  owner:
    row.owner_uuid === null ? null : { id: row.owner_uuid, name: row.owner_name ?? '', email: row.owner_email ?? '' },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
export type ClientItem = ReturnType<typeof toClientItem>;

export const toClient = (row: ClientDetailRow) => ({
  ...toClientItem(row),
  notes: row.notes,
  taskCount: row.task_count,
  pendingTasks: row.pending_tasks,
  inProgressTasks: row.in_progress_tasks,
  overdueTasks: row.overdue_tasks,
  completedTasks: row.completed_tasks,
  credentialCount: row.credential_count,
});
export type Client = ReturnType<typeof toClient>;

async function readClient(db: RequestDb, uuid: string) {
  const client = await findClient(db, uuid);
  if (!client) throw notFound('client');
  return toClient(client);
}

const isSelf = (user: SessionUser, uuid: string | null) => uuid !== null && uuid.toLowerCase() === user.uuid;

const staffProcedure = roleProcedure('admin', 'manager');

export const clientsRouter = router({
  list: authedProcedure.input(ClientListInput).query(async ({ ctx, input }) => {
    const filters = {
      search: input.search,
      status: input.status ?? null,
      tags: input.tags ?? [],
      tagMatch: input.tagMatch,
      ownerId: input.ownerId ?? null,
    };
    const after = decodeCursor(input.cursor, clientCursor(input.sort));
    const rows = await listClients(ctx.db, filters, input.sort, after, input.limit);
    // A search's first page counted its matches (listClients): no count statement.
    const searched = after === null ? (rows[0]?.rest_count ?? null) : null;
    const total = await pageTotal(rows, input.limit, after, async () =>
      searched === null ? countClients(ctx.db, filters) : toTotal(searched),
    );
    return { ...toPage(rows, input.limit, (row) => [input.sort, row.sort_key, row.uuid], toClientItem), ...total };
  }),

  get: authedProcedure.input(ClientIdInput).query(({ ctx, input }) => readClient(ctx.db, input.id)),

  byTag: authedProcedure
    .input(ClientTagInput)
    .query(async ({ ctx, input }) => (await listClientsByTag(ctx.db, input.tag)).map(toClientItem)),

  tags: authedProcedure.query(async ({ ctx }) =>
    (await countTags(ctx.db)).map((row) => ({ tag: row.tag, count: row.client_count })),
  ),

  /** ownerId left out: the caller owns the client. A `user` may only name themselves. */
  create: authedProcedure.input(ClientCreateInput).mutation(async ({ ctx, input }) => {
    const { ownerId = ctx.user.uuid, ...values } = input;
    let ownerUserId: number | null;
    if (isSelf(ctx.user, ownerId)) ownerUserId = ctx.user.id;
    else if (isStaff(ctx.user)) ownerUserId = await referencedUserId(ctx.db, 'ownerId', ownerId);
    else throw fieldError('ownerId', 'only a manager or an admin may give a client another owner', 'FORBIDDEN');
    const uuid = await insertClient(ctx.db, { ...values, ownerUserId });
    return readClient(ctx.db, uuid);
  }),

  /**
   * Only the fields present change. A `user` edits the clients they own and cannot hand one to
   * someone else: ownerId is theirs to re-send unchanged, never to change.
   */
  update: authedProcedure.input(ClientUpdateInput).mutation(async ({ ctx, input }) => {
    const { id, ownerId, ...changes } = input;
    const client = await clientToEdit(ctx, id);
    let ownerUserId: number | null | undefined;
    if (ownerId !== undefined && !isStaff(ctx.user)) {
      if (!isSelf(ctx.user, ownerId)) {
        throw fieldError('ownerId', 'only a manager or an admin may change a client’s owner', 'FORBIDDEN');
      }
    } else if (ownerId !== undefined) {
      ownerUserId = await referencedUserId(ctx.db, 'ownerId', ownerId, client.ownerUserId);
    }
    await updateClient(ctx.db, client.id, { ...changes, ownerUserId });
    return readClient(ctx.db, id);
  }),

  delete: staffProcedure.input(ClientIdInput).mutation(async ({ ctx, input }) => {
    const client = await lockClientForDelete(ctx.db, input.id);
    if (!client) throw notFound('client');
    if (await hasCredentials(ctx.db, client.id)) {
      throw new TRPCError({
        code: 'CONFLICT',
        message: 'client has credentials; delete is refused to keep their audit trail — archive the client instead',
      });
    }
    await deleteClient(ctx.db, client.id);
    return { id: client.uuid };
  }),
});
