/**
 * SQL of audit.*. Visibility is part of every query: `ownerId` null means everything (staff),
 * otherwise only entries of credentials whose client that user owns. Deleted credentials keep
 * their history and stay visible here, flagged.
 */
import { AuditAction } from '@mini-crm/models';
import { type CommonQueryMethods, type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { Count, NullableTimestamp, Timestamp, TotalRow } from '../rows.ts';
import { allOf } from '../sql-fragments.ts';

/** users.id of the user whose clients bound what is visible; null for admins and managers. */
export type Visibility = { ownerId: number | null };

const visibleTo = ({ ownerId }: Visibility, clientId: FragmentSqlToken) =>
  ownerId === null
    ? sql.fragment`TRUE`
    : sql.fragment`EXISTS (SELECT FROM clients vc WHERE vc.id = ${clientId} AND vc.owner_user_id = ${ownerId})`;

const _where = (conditions: FragmentSqlToken[]) => allOf(conditions);

export const AuditEntryRow = z.object({
  uuid: z.uuid(),
  action: AuditAction,
  created_at: Timestamp,
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  credential_uuid: z.uuid(),
  credential_label: z.string(),
  credential_is_deleted: z.boolean(),
  client_uuid: z.uuid(),
  client_name: z.string(),
  user_uuid: z.uuid().nullable(),
  user_name: z.string().nullable(),
  user_email: z.string().nullable(),
});
export type AuditEntryRow = z.output<typeof AuditEntryRow>;

export type AuditFilters = {
  credentialId: string | null;
  userId: string | null;
  action: AuditAction | null;
  from: string | null;
  to: string | null;
};

function filterConditions(filters: AuditFilters, visibility: Visibility) {
  const conditions = [visibleTo(visibility, sql.fragment`cd.client_id`)];
  if (filters.credentialId !== null) conditions.push(sql.fragment`cd.uuid = ${filters.credentialId}`);
  if (filters.userId !== null) conditions.push(sql.fragment`u.uuid = ${filters.userId}`);
  if (filters.action !== null) conditions.push(sql.fragment`a.action = ${filters.action}`);
  if (filters.from !== null) conditions.push(sql.fragment`a.created_at >= ${filters.from}::timestamptz`);
  if (filters.to !== null) conditions.push(sql.fragment`a.created_at < ${filters.to}::timestamptz`);
  return conditions;
}

const entrySource = sql.fragment`
  credential_audit_logs a
  JOIN credentials cd ON cd.id = a.credential_id
  JOIN clients cl ON cl.id = cd.client_id
  LEFT JOIN users u ON u.id = a.user_id
`;

/**
 * One page, newest first by (created_at, id). The cursor is the last entry's uuid: the serial id
 * stays inside, and created_at keeps its microseconds (epoch ms in a cursor would lose them).
 */
export function listAuditEntries(
  db: CommonQueryMethods,
  filters: AuditFilters,
  visibility: Visibility,
  after: string | null,
  limit: number,
) {
  const conditions = filterConditions(filters, visibility);
  if (after !== null) {
    conditions.push(
      sql.fragment`(a.created_at, a.id) < (SELECT ca.created_at, ca.id FROM credential_audit_logs ca WHERE ca.uuid = ${after})`,
    );
  }
  return db.any(sql.type(AuditEntryRow)`
    /* audit.list */
    SELECT a.uuid, a.action, a.created_at, a.ip_address, a.user_agent,
           cd.uuid AS credential_uuid, cd.label AS credential_label,
           (cd.deleted_at IS NOT NULL) AS credential_is_deleted,
           cl.uuid AS client_uuid, cl.name AS client_name,
           u.uuid AS user_uuid, u.name AS user_name, u.email AS user_email
    FROM ${entrySource}
    WHERE ${allOf(conditions)}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT ${limit + 1}
  `);
}

export const countAuditEntries = (db: CommonQueryMethods, filters: AuditFilters, visibility: Visibility) =>
  db.oneFirst(sql.type(TotalRow)`
    /* audit.count */
    SELECT count(*) AS total FROM ${entrySource} WHERE ${allOf(filterConditions(filters, visibility))}
  `);

export const SummaryRow = z.object({
  credential_uuid: z.uuid(),
  label: z.string(),
  client_uuid: z.uuid(),
  client_name: z.string(),
  is_deleted: z.boolean(),
  access_count: Count,
  view_count: Count,
  decrypt_count: Count,
  last_accessed_at: NullableTimestamp,
  unique_user_count: Count,
  unique_ip_count: Count,
});
export type SummaryRow = z.output<typeof SummaryRow>;

/** credential_audit_summary, every credential (deleted ones too), by client and label. */
export const listAuditSummary = (db: CommonQueryMethods, visibility: Visibility) =>
  db.any(sql.type(SummaryRow)`
    /* audit.summary */
    SELECT s.credential_uuid, s.label, s.client_uuid, s.client_name, (s.deleted_at IS NOT NULL) AS is_deleted,
           s.access_count, s.view_count, s.decrypt_count, s.last_accessed_at,
           s.unique_user_count, s.unique_ip_count
    FROM credential_audit_summary s
    WHERE ${visibleTo(visibility, sql.fragment`s.client_id`)}
    ORDER BY lower(s.client_name), s.client_uuid, lower(s.label), s.credential_uuid
  `);

export const UnusualAccessRow = z.object({
  credential_uuid: z.uuid(),
  label: z.string(),
  is_deleted: z.boolean(),
  client_uuid: z.uuid(),
  client_name: z.string(),
  access_count: Count,
  unique_ip_count: Count,
  unique_user_count: Count,
  last_accessed_at: Timestamp,
});
export type UnusualAccessRow = z.output<typeof UnusualAccessRow>;

/**
 * The spec's security monitoring query: per credential, more than 10 audit events or more than 3
 * distinct IPs in the last 24 hours (every action counts, as in the spec). Busiest first.
 */
export const listUnusualAccess = (db: CommonQueryMethods, visibility: Visibility) =>
  db.any(sql.type(UnusualAccessRow)`
    /* audit.unusualAccess */
    SELECT cd.uuid AS credential_uuid, cd.label, (cd.deleted_at IS NOT NULL) AS is_deleted,
           cl.uuid AS client_uuid, cl.name AS client_name,
           count(*) AS access_count,
           count(DISTINCT a.ip_address) AS unique_ip_count,
           count(DISTINCT a.user_id) AS unique_user_count,
           max(a.created_at) AS last_accessed_at
    FROM credential_audit_logs a
    JOIN credentials cd ON cd.id = a.credential_id
    JOIN clients cl ON cl.id = cd.client_id
    WHERE a.created_at > now() - INTERVAL '24 hours' AND ${visibleTo(visibility, sql.fragment`cd.client_id`)}
    GROUP BY cd.id, cl.id
    HAVING count(*) > 10 OR count(DISTINCT a.ip_address) > 3
    ORDER BY count(*) DESC, cd.uuid
  `);

export const StaleCredentialRow = z.object({
  credential_uuid: z.uuid(),
  label: z.string(),
  client_uuid: z.uuid(),
  client_name: z.string(),
  last_accessed_at: NullableTimestamp,
});
export type StaleCredentialRow = z.output<typeof StaleCredentialRow>;

/**
 * The spec's "not accessed recently" query, for live credentials: no audit event of any kind
 * (create and update count, as in the spec) for 30 days, or none ever. Stalest first.
 */
export const listStaleCredentials = (db: CommonQueryMethods, visibility: Visibility) =>
  db.any(sql.type(StaleCredentialRow)`
    /* audit.staleCredentials */
    SELECT cd.uuid AS credential_uuid, cd.label, cl.uuid AS client_uuid, cl.name AS client_name,
           max(a.created_at) AS last_accessed_at
    FROM credentials cd
    JOIN clients cl ON cl.id = cd.client_id
    LEFT JOIN credential_audit_logs a ON a.credential_id = cd.id
    WHERE cd.deleted_at IS NULL AND ${visibleTo(visibility, sql.fragment`cd.client_id`)}
    GROUP BY cd.id, cl.id
    HAVING max(a.created_at) < now() - INTERVAL '30 days' OR max(a.created_at) IS NULL
    ORDER BY max(a.created_at) ASC NULLS FIRST, cd.uuid
  `);
