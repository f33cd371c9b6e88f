/** Lookups by uuid before a write (access/policy.ts); prepared (db.ts): their plan is the same for every key. */
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { prepared } from '../db.ts';

const ClientAccessRow = z.object({ id: z.number().int(), owner_user_id: z.number().int().nullable() });

export const findClientAccess = (db: CommonQueryMethods, clientUuid: string) =>
  db.maybeOne(
    prepared(sql.type(ClientAccessRow)`
    /* access.client */ SELECT id, owner_user_id FROM clients WHERE uuid = ${clientUuid}
  `),
  );

const TaskAccessRow = z.object({
  id: z.number().int(),
  client_id: z.number().int(),
  assigned_user_id: z.number().int().nullable(),
  owner_user_id: z.number().int().nullable(),
});

export const findTaskAccess = (db: CommonQueryMethods, taskUuid: string) =>
  db.maybeOne(
    prepared(sql.type(TaskAccessRow)`
    /* access.task */
    SELECT t.id, t.client_id, t.assigned_user_id, c.owner_user_id
    FROM tasks t JOIN clients c ON c.id = t.client_id
    WHERE t.uuid = ${taskUuid}
  `),
  );

const ReferencedUserRow = z.object({ id: z.number().int(), is_active: z.boolean() });

/**
 * A user a record is about to point to (owner, assignee), share-locked until commit so a concurrent
 * deactivation waits for this write instead of slipping in between the check and the write.
 */
export const lockReferencedUser = (db: CommonQueryMethods, userUuid: string) =>
  db.maybeOne(
    prepared(sql.type(ReferencedUserRow)`
    /* access.referencedUser */ SELECT id, is_active FROM users WHERE uuid = ${userUuid} FOR SHARE
  `),
  );

const CredentialAccessRow = z.object({
  id: z.number().int(),
  client_id: z.number().int(),
  owner_user_id: z.number().int().nullable(),
});

/** Deleted credentials are gone for every procedure but the audit views. */
export const findCredentialAccess = (db: CommonQueryMethods, credentialUuid: string) =>
  db.maybeOne(
    prepared(sql.type(CredentialAccessRow)`
    /* access.credential */
    SELECT cd.id, cd.client_id, c.owner_user_id
    FROM credentials cd JOIN clients c ON c.id = cd.client_id
    WHERE cd.uuid = ${credentialUuid} AND cd.deleted_at IS NULL
  `),
  );
