/**
 * SQL of audit.*. Visibility is part of every query: `ownerId` null means everything (staff),
 * otherwise only entries of credentials whose client that user owns. Deleted credentials keep
 * their history and stay visible here, flagged.
 */
import { AuditAction } from '@mini-crm/models';
import { type CommonQueryMethods, type FragmentSqlToken, type ListSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { prepared } from '../db.ts';
import { type Total, toTotal } from '../pagination.ts';
import { Count, NullableTimestamp, Timestamp, TotalRow } from '../rows.ts';
import { allOf, cappedCount, limitOf } from '../sql-fragments.ts';

/** users.id of the user whose clients bound what is visible; null for admins and managers. */
export type Visibility = { ownerId: number | null };

/**
 * The clients a user owns, as an array computed once per statement. An array keeps the plan on
 * the indexes whatever the user owns: the lookups go client → credential → audit row by
 * idx_clients_owner_user_id, idx_credentials_client_id and idx_credential_audit_logs_credential_id,
 * reading the user's own rows, where a join could choose to walk everyone's and filter.
 */
const ownedClientIds = (ownerId: number) =>
  sql.fragment`ARRAY(SELECT vc.id FROM clients vc WHERE vc.owner_user_id = ${ownerId})`;

const visibleTo = ({ ownerId }: Visibility, clientId: FragmentSqlToken) =>
  ownerId === null ? sql.fragment`TRUE` : sql.fragment`${clientId} = ANY (${ownedClientIds(ownerId)})`;

/**
 * The rule again on a page's rows, by the client cl of their credential: the newest page ranks
 * credentials by the owner the audit figures carry (pageOf), which a client changing hands while
 * one of its credentials is created can leave behind; this keeps such entries from its old owner.
 */
const ownsNow = ({ ownerId }: Visibility) =>
  ownerId === null ? sql.fragment`TRUE` : sql.fragment`cl.owner_user_id = ${ownerId}`;

/** The same rule for audit rows a, by their credential. */
const visibleEntries = ({ ownerId }: Visibility) =>
  ownerId === null
    ? sql.fragment`TRUE`
    : sql.fragment`a.credential_id = ANY (ARRAY(
        SELECT vcd.id FROM credentials vcd WHERE vcd.client_id = ANY (${ownedClientIds(ownerId)})
      ))`;

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

/** Conditions on the log's own columns only: a count reads credential_audit_logs alone. */
function filterConditions(filters: AuditFilters, visibility: Visibility) {
  return [visibleEntries(visibility), ...columnConditions(filters)];
}

/**
 * The filters, by the log's own columns, so that its (credential_id, created_at) and (user_id,
 * created_at) indexes give the rows newest first.
 */
function columnConditions(filters: AuditFilters) {
  const conditions = [sql.fragment`TRUE`];
  if (filters.credentialId !== null) {
    conditions.push(sql.fragment`a.credential_id = (SELECT id FROM credentials WHERE uuid = ${filters.credentialId})`);
  }
  if (filters.userId !== null) {
    conditions.push(sql.fragment`a.user_id = (SELECT id FROM users WHERE uuid = ${filters.userId})`);
  }
  if (filters.action !== null) conditions.push(sql.fragment`a.action = ${filters.action}`);
  if (filters.from !== null) conditions.push(sql.fragment`a.created_at >= ${filters.from}::timestamptz`);
  if (filters.to !== null) conditions.push(sql.fragment`a.created_at < ${filters.to}::timestamptz`);
  return conditions;
}

const newestFirst = sql.fragment`a.created_at DESC, a.id DESC`;

/**
 * One page, newest first by (created_at, id). The cursor is the last entry's uuid: the serial id
 * stays inside, and created_at keeps its microseconds (epoch ms in a cursor would lose them).
 * The page is chosen from the log alone, by (created_at, id) only, which the indexes hold; then only
 * the page's rows are read and joined (pageOf).
 */
export function listAuditEntries(
  db: CommonQueryMethods,
  filters: AuditFilters,
  visibility: Visibility,
  after: string | null,
  limit: number,
) {
  const conditions = columnConditions(filters);
  const isNewest = after === null && Object.values(filters).every((value) => value === null);
  if (after !== null) {
    // Two scalar subqueries, not one row subquery: a row of values is what an index scan can start from.
    conditions.push(sql.fragment`(a.created_at, a.id) < (
      (SELECT ca.created_at FROM credential_audit_logs ca WHERE ca.uuid = ${after}),
      (SELECT ca.id FROM credential_audit_logs ca WHERE ca.uuid = ${after})
    )`);
  }
  return db.any(
    prepared(
      sql.type(AuditEntryRow)`
    /* audit.list */
    SELECT a.uuid, a.action, a.created_at, a.ip_address, a.user_agent,
           cd.uuid AS credential_uuid, cd.label AS credential_label,
           (cd.deleted_at IS NOT NULL) AS credential_is_deleted,
           cl.uuid AS client_uuid, cl.name AS client_name,
           u.uuid AS user_uuid, u.name AS user_name, u.email AS user_email
    FROM (${pageOf(visibility, allOf(conditions), limit + 1, isNewest)}) AS page
    JOIN credential_audit_logs a ON a.id = page.id
    JOIN credentials cd ON cd.id = a.credential_id
    JOIN clients cl ON cl.id = cd.client_id
    LEFT JOIN users u ON u.id = a.user_id
    WHERE ${ownsNow(visibility)}
    ORDER BY a.created_at DESC, a.id DESC
  `,
      hasValueFreePlan(filters) && after === null,
    ),
  );
}

/**
 * The ids of a page of entries that meet `conditions` and `visibility`, newest first. Staff's page
 * is the head of the whole log's index. A user's is the newest of each of their credentials' newest
 * entries (idx_credential_audit_logs_credential_id, a page's worth per credential at most), so a
 * longer history costs no more. For the newest page with no filter (`isNewest`: the dashboard's,
 * the log's first) only the credentials whose newest entry ranks among the page's size are read:
 * each of those has an entry at least as new as every entry of the others (ties at the boundary
 * share a rank and are all read). Their newest entry is the maintained
 * credential_audit_stats.last_accessed_at, ranked for the user by idx_credential_audit_stats_owner
 * (migration 010). At 100,000 clients, for a user with 234 credentials and 9,639 entries, the
 * dashboard's page of 11 reads 121 index entries instead of 2,600, and the ranking 135 buffers
 * instead of 1,400 (through the user's 501 clients).
 */
function pageOf({ ownerId }: Visibility, conditions: ListSqlToken, size: number, isNewest: boolean) {
  if (ownerId === null) {
    return sql.fragment`
      SELECT a.id FROM credential_audit_logs a WHERE ${conditions} ORDER BY ${newestFirst} ${limitOf(size)}
    `;
  }
  const credentials = isNewest
    ? sql.fragment`(
        SELECT ranked.id FROM (
          SELECT s.credential_id AS id, rank() OVER (ORDER BY s.last_accessed_at DESC) AS recency
          FROM credential_audit_stats s
          WHERE s.owner_user_id = ${ownerId}
        ) AS ranked
        WHERE ranked.recency <= ${size}
      )`
    : sql.fragment`(SELECT vcd.id FROM credentials vcd WHERE vcd.client_id = ANY (${ownedClientIds(ownerId)}))`;
  return sql.fragment`
    SELECT a.id FROM ${credentials} AS vcd
    CROSS JOIN LATERAL (
      SELECT a.id, a.created_at FROM credential_audit_logs a
      WHERE a.credential_id = vcd.id AND ${conditions}
      ORDER BY ${newestFirst} ${limitOf(size)}
    ) AS a
    ORDER BY ${newestFirst} ${limitOf(size)}
  `;
}

/**
 * The log's first page and its count are prepared (db.ts) unless an action or a time range filters
 * them: how many entries those keep decides between walking the newest first and reading the
 * matches. (Staff's whole-log page was planned for each call while its LIMIT was bound: the generic
 * plan priced a tenth of the log and hash-joined every entry; sql-fragments.ts limitOf.)
 */
const hasValueFreePlan = (filters: AuditFilters) =>
  filters.action === null && filters.from === null && filters.to === null;

/**
 * The list's size, up to totalCap. Staff's count walks the log in the page's order (an index of
 * every filter holds it); a user's counts their credentials' entries in any order, since no index
 * holds them newest first: in order, it sorted every entry they can see (9,639 at 100,000 clients).
 */
export const countAuditEntries = async (
  db: CommonQueryMethods,
  filters: AuditFilters,
  visibility: Visibility,
): Promise<Total> =>
  toTotal(
    await db.oneFirst(
      prepared(
        sql.type(TotalRow)`
          /* audit.count */ ${cappedCount(
            sql.fragment`credential_audit_logs a`,
            allOf(filterConditions(filters, visibility)),
            visibility.ownerId === null ? newestFirst : null,
          )}
        `,
        hasValueFreePlan(filters),
      ),
    ),
  );

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

/** The last row of a summary page: [client name, client uuid, label, credential uuid]. */
export const SummaryCursor = z.tuple([
  z
    .string()
    .max(255)
    .refine((value) => !value.includes('\u0000')),
  z.uuid(),
  z
    .string()
    .max(255)
    .refine((value) => !value.includes('\u0000')),
  z.uuid(),
]);
export type SummaryCursor = z.output<typeof SummaryCursor>;

/**
 * credential_audit_summary's figures, a page at a time, by client (name, then uuid; as clients.list)
 * and label. The figures come from the maintained credential_audit_stats, one row per credential
 * of the page, so a page costs the same however long the log is. The client bound lets
 * idx_clients_name start the scan at the cursor.
 */
export function listAuditSummary(
  db: CommonQueryMethods,
  visibility: Visibility,
  after: SummaryCursor | null,
  limit: number,
) {
  const conditions = [visibleTo(visibility, sql.fragment`cd.client_id`)];
  if (after) {
    const [clientName, clientUuid, label, credentialUuid] = after;
    conditions.push(sql.fragment`
      (cl.name, cl.uuid) >= (${clientName}, ${clientUuid}::uuid)
      AND (cl.name, cl.uuid, cd.label, cd.uuid) > (${clientName}, ${clientUuid}::uuid, ${label}, ${credentialUuid}::uuid)
    `);
  }
  return db.any(
    prepared(
      sql.type(SummaryRow)`
    /* audit.summary */
    SELECT cd.uuid AS credential_uuid, cd.label, cl.uuid AS client_uuid, cl.name AS client_name,
           (cd.deleted_at IS NOT NULL) AS is_deleted,
           COALESCE(s.access_count, 0) AS access_count, COALESCE(s.view_count, 0) AS view_count,
           COALESCE(s.decrypt_count, 0) AS decrypt_count, s.last_accessed_at,
           COALESCE(s.unique_user_count, 0) AS unique_user_count, COALESCE(s.unique_ip_count, 0) AS unique_ip_count
    FROM credentials cd
    JOIN clients cl ON cl.id = cd.client_id
    LEFT JOIN credential_audit_stats s ON s.credential_id = cd.id
    WHERE ${allOf(conditions)}
    ORDER BY cl.name, cl.uuid, cd.label, cd.uuid
    ${limitOf(limit + 1)}
  `,
      after === null,
    ),
  );
}

/** How many credentials the summary holds for the caller, up to totalCap. */
export const countAuditSummary = async (db: CommonQueryMethods, visibility: Visibility): Promise<Total> =>
  toTotal(
    await db.oneFirst(
      prepared(sql.type(TotalRow)`
        /* audit.summaryCount */ ${cappedCount(sql.fragment`credentials cd`, visibleTo(visibility, sql.fragment`cd.client_id`))}
      `),
    ),
  );

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
 * (create and update count, as in the spec) for 30 days, or none ever. Stalest first. The newest
 * event per credential is the maintained credential_audit_stats.last_accessed_at.
 */
export const listStaleCredentials = (db: CommonQueryMethods, visibility: Visibility) =>
  db.any(sql.type(StaleCredentialRow)`
    /* audit.staleCredentials */
    SELECT cd.uuid AS credential_uuid, cd.label, cl.uuid AS client_uuid, cl.name AS client_name,
           s.last_accessed_at
    FROM credentials cd
    JOIN clients cl ON cl.id = cd.client_id
    LEFT JOIN credential_audit_stats s ON s.credential_id = cd.id
    WHERE cd.deleted_at IS NULL AND ${visibleTo(visibility, sql.fragment`cd.client_id`)}
      AND (s.last_accessed_at < now() - INTERVAL '30 days' OR s.last_accessed_at IS NULL)
    ORDER BY s.last_accessed_at ASC NULLS FIRST, cd.uuid
  `);
