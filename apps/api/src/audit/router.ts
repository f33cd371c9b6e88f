/**
 * audit.*: the credential audit trail and the spec's monitoring views. Every signed-in role may ask;
 * admins and managers see everything, a user only the entries and figures of credentials of the
 * clients they own (filtered in SQL, so counts and pages hold only what they may see).
 */
import { AuditListInput, AuditSummaryInput } from '@mini-crm/models';
import { z } from 'zod';
import { isStaff } from '../access/policy.ts';
import type { SessionUser } from '../auth/queries.ts';
import { decodeCursor, pageTotal, toPage } from '../pagination.ts';
import { authedProcedure, router } from '../trpc.ts';
import {
  type AuditEntryRow,
  countAuditEntries,
  countAuditSummary,
  listAuditEntries,
  listAuditSummary,
  listStaleCredentials,
  listUnusualAccess,
  SummaryCursor,
  type SummaryRow,
  type Visibility,
} from './queries.ts';

/** A page's cursor: the uuid of its last entry (listAuditEntries). */
const EntryCursor = z.uuid();

export const visibilityOf = (user: SessionUser): Visibility => ({ ownerId: isStaff(user) ? null : user.id });

export const toAuditEntry = (row: AuditEntryRow) => ({
  id: row.uuid,
  action: row.action,
  createdAt: row.created_at,
  ipAddress: row.ip_address,
  userAgent: row.user_agent,
  credential: { id: row.credential_uuid, label: row.credential_label, isDeleted: row.credential_is_deleted },
  client: { id: row.client_uuid, name: row.client_name },
  /** null when the entry has no user (written outside a request) or the user was deleted. */
  user: row.user_uuid === null ? null : { id: row.user_uuid, name: row.user_name ?? '', email: row.user_email ?? '' },
});
export type AuditEntry = ReturnType<typeof toAuditEntry>;

const toSummaryEntry = (row: SummaryRow) => ({
  credential: { id: row.credential_uuid, label: row.label },
  client: { id: row.client_uuid, name: row.client_name },
  isDeleted: row.is_deleted,
  accessCount: row.access_count,
  viewCount: row.view_count,
  decryptCount: row.decrypt_count,
  lastAccessedAt: row.last_accessed_at,
  uniqueUserCount: row.unique_user_count,
  uniqueIpCount: row.unique_ip_count,
});

export const auditRouter = router({
  list: authedProcedure.input(AuditListInput).query(async ({ ctx, input }) => {
    const filters = {
      credentialId: input.credentialId ?? null,
      userId: input.userId ?? null,
      action: input.action ?? null,
      from: input.from ?? null,
      to: input.to ?? null,
    };
    const visibility = visibilityOf(ctx.user);
    const after = decodeCursor(input.cursor, EntryCursor);
    const rows = await listAuditEntries(ctx.db, filters, visibility, after, input.limit);
    const total = await pageTotal(rows, input.limit, after, () => countAuditEntries(ctx.db, filters, visibility));
    return { ...toPage(rows, input.limit, (row) => row.uuid, toAuditEntry), ...total };
  }),

  /** Per credential the caller may see, a page at a time (by client, then label). */
  summary: authedProcedure.input(AuditSummaryInput).query(async ({ ctx, input }) => {
    const visibility = visibilityOf(ctx.user);
    const after = decodeCursor(input.cursor, SummaryCursor);
    const rows = await listAuditSummary(ctx.db, visibility, after, input.limit);
    const total = await pageTotal(rows, input.limit, after, () => countAuditSummary(ctx.db, visibility));
    const keyOf = (row: SummaryRow) => [row.client_name, row.client_uuid, row.label, row.credential_uuid];
    return { ...toPage(rows, input.limit, keyOf, toSummaryEntry), ...total };
  }),

  unusualAccess: authedProcedure.query(async ({ ctx }) =>
    (await listUnusualAccess(ctx.db, visibilityOf(ctx.user))).map((row) => ({
      credential: { id: row.credential_uuid, label: row.label, isDeleted: row.is_deleted },
      client: { id: row.client_uuid, name: row.client_name },
      accessCount: row.access_count,
      uniqueIpCount: row.unique_ip_count,
      uniqueUserCount: row.unique_user_count,
      lastAccessedAt: row.last_accessed_at,
    })),
  ),

  staleCredentials: authedProcedure.query(async ({ ctx }) =>
    (await listStaleCredentials(ctx.db, visibilityOf(ctx.user))).map((row) => ({
      credential: { id: row.credential_uuid, label: row.label },
      client: { id: row.client_uuid, name: row.client_name },
      lastAccessedAt: row.last_accessed_at,
    })),
  ),
});
