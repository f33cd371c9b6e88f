/**
 * credentials.*: the client's vault. Admins and managers use every credential; a user those of the
 * clients they own (access/policy.ts). The secret goes in through encrypt_credential_value and comes
 * out only through reveal, which audits 'decrypt' in the same transaction; get audits 'view'. The
 * trigger on credentials audits create, update and delete. A refused or failed request rolls its
 * audit row back with everything else, so the log holds what happened, not what was attempted.
 * Values are encrypted with the current key version; each is decrypted with the key of the version
 * it records, so reveal keeps working while a key rotation is under way.
 */
import { CredentialCreateInput, CredentialIdInput, CredentialListInput, CredentialUpdateInput } from '@mini-crm/models';
import { TRPCError } from '@trpc/server';
import { clientToEdit, credentialToUse } from '../access/policy.ts';
import type { RequestDb } from '../db.ts';
import { notFound } from '../errors.ts';
import { keyForVersion } from '../keys/keyring.ts';
import { authedProcedure, type Context, router } from '../trpc.ts';
import {
  type CredentialRow,
  findCredential,
  insertCredential,
  listCredentials,
  lockKeyVersion,
  recordView,
  revealCredential,
  softDeleteCredential,
  updateCredential,
} from './queries.ts';

/** What the API tells about a credential: never the secret, only whether there is one. */
export const toCredential = (row: CredentialRow) => ({
  id: row.uuid,
  clientId: row.client_uuid,
  label: row.label,
  username: row.username,
  url: row.url,
  notes: row.notes,
  hasValue: row.has_value,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
export type Credential = ReturnType<typeof toCredential>;

async function loadCredential(db: RequestDb, id: number) {
  const row = await findCredential(db, id);
  if (!row) throw notFound('credential');
  return toCredential(row);
}

/**
 * The SQLSTATEs of the schema's vault functions, as the caller should read them. A wrong key is the
 * server's configuration, not the caller's input: logged (without values) and answered 412.
 */
function vaultError(ctx: Pick<Context, 'log'>, credentialId: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'MC003') return notFound('credential');
  if (code === 'MC001' || code === 'MC002') {
    ctx.log.error({ credentialId, code }, 'credential decryption failed');
    return new TRPCError({
      code: 'PRECONDITION_FAILED',
      message:
        code === 'MC001'
          ? 'no encryption key is configured'
          : 'the credential could not be decrypted with the configured key',
    });
  }
  return error;
}

export const credentialsRouter = router({
  list: authedProcedure.input(CredentialListInput).query(async ({ ctx, input }) => {
    const client = await clientToEdit(ctx, input.clientId);
    return (await listCredentials(ctx.db, client.id)).map(toCredential);
  }),

  // A read that writes its 'view' audit row: in a transaction, so a failed read leaves no row.
  get: authedProcedure
    .meta({ writes: true })
    .input(CredentialIdInput)
    .query(async ({ ctx, input }) => {
      const credential = await credentialToUse(ctx, input.id);
      try {
        await recordView(ctx.db, credential.id);
      } catch (error) {
        throw vaultError(ctx, input.id, error);
      }
      return loadCredential(ctx.db, credential.id);
    }),

  create: authedProcedure.input(CredentialCreateInput).mutation(async ({ ctx, input }) => {
    const { clientId, ...fields } = input;
    const client = await clientToEdit(ctx, clientId);
    const id = await insertCredential(ctx.db, client.id, fields, ctx.encryptionKeys.current);
    return loadCredential(ctx.db, id);
  }),

  update: authedProcedure.input(CredentialUpdateInput).mutation(async ({ ctx, input }) => {
    const { id, ...changes } = input;
    const credential = await credentialToUse(ctx, id);
    if (!(await updateCredential(ctx.db, credential.id, changes, ctx.encryptionKeys.current)))
      throw notFound('credential');
    return loadCredential(ctx.db, credential.id);
  }),

  delete: authedProcedure.input(CredentialIdInput).mutation(async ({ ctx, input }) => {
    const credential = await credentialToUse(ctx, input.id);
    const uuid = await softDeleteCredential(ctx.db, credential.id);
    if (!uuid) throw notFound('credential');
    return { id: uuid };
  }),

  /** A mutation: it writes an audit row, and a GET could be replayed or prefetched. */
  reveal: authedProcedure.input(CredentialIdInput).mutation(async ({ ctx, input }) => {
    const credential = await credentialToUse(ctx, input.id);
    const version = await lockKeyVersion(ctx.db, credential.id);
    if (version === null) throw notFound('credential');
    const key = keyForVersion(ctx.encryptionKeys, version);
    if (key === undefined) {
      ctx.log.error({ credentialId: input.id, keyVersion: version }, 'credential key version not configured');
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `the credential is encrypted with key version ${version}, which is not configured`,
      });
    }
    try {
      const revealed = await revealCredential(ctx.db, credential.id, key);
      return { id: revealed.uuid, value: revealed.value };
    } catch (error) {
      throw vaultError(ctx, input.id, error);
    }
  }),
});
