/**
 * SQL of dashboard.summary. "Today" is the transaction's CURRENT_DATE, i.e. the caller's (trpc.ts
 * sets TimeZone per request). No query here reads a credential's secret.
 */
import { AuditAction, ClientStatus } from '@mini-crm/models';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { Count, DateOnly, Timestamp } from '../rows.ts';
import { isOpenTask, TaskRow, taskColumns } from '../tasks/queries.ts';

const TodayRow = z.object({ today: DateOnly });

export const callerToday = (db: CommonQueryMethods) =>
  db.oneFirst(sql.type(TodayRow)`/* dashboard.today */ SELECT CURRENT_DATE::text AS today`);

const UrgentTaskRow = TaskRow.extend({ urgency_total: Count });

/**
 * The user's open tasks that are overdue, due today or due within 7 days: at most `limit` of each
 * urgency (earliest due first), each row carrying its urgency's full count. The range on
 * due_date under the open-task predicate is what idx_tasks_open_assignee_due_date serves.
 */
export const listUrgentTasksOf = (db: CommonQueryMethods, userId: number, limit: number) =>
  db.any(sql.type(UrgentTaskRow)`
    /* dashboard.urgentTasks */
    WITH urgent AS (
      SELECT t.id,
        row_number() OVER (PARTITION BY t.urgency_status ORDER BY t.due_date, t.uuid) AS position,
        count(*) OVER (PARTITION BY t.urgency_status) AS urgency_total
      FROM task_overview t
      WHERE t.assigned_user_id = ${userId} AND ${isOpenTask} AND t.due_date <= CURRENT_DATE + 7
    )
    SELECT ${taskColumns}, u.urgency_total
    FROM urgent u JOIN task_overview t ON t.id = u.id
    WHERE u.position <= ${limit}
    ORDER BY t.due_date, t.uuid
  `);

const StatusCountRow = z.object({ status: ClientStatus, client_count: Count });

export const countClientsByStatus = (db: CommonQueryMethods) =>
  db.any(sql.type(StatusCountRow)`
    /* dashboard.clientsByStatus */ SELECT status, count(*) AS client_count FROM clients GROUP BY status
  `);

const ActivityRow = z.object({
  uuid: z.uuid(),
  action: AuditAction,
  created_at: Timestamp,
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  credential_uuid: z.uuid(),
  credential_label: z.string(),
  is_credential_deleted: z.boolean(),
  client_uuid: z.uuid(),
  client_name: z.string(),
  user_uuid: z.uuid().nullable(),
  user_name: z.string().nullable(),
});
export type ActivityRow = z.output<typeof ActivityRow>;

/**
 * The newest audit rows, newest first; with `ownerUserId`, only those of credentials of clients
 * that user owns. Deleted credentials stay listed: their history is the point of the audit.
 */
export const listRecentCredentialActivity = (db: CommonQueryMethods, ownerUserId: number | null, limit: number) =>
  db.any(sql.type(ActivityRow)`
    /* dashboard.recentCredentialActivity */
    SELECT a.uuid, a.action, a.created_at, host(a.ip_address) AS ip_address, a.user_agent,
      cd.uuid AS credential_uuid, cd.label AS credential_label, cd.deleted_at IS NOT NULL AS is_credential_deleted,
      cl.uuid AS client_uuid, cl.name AS client_name,
      u.uuid AS user_uuid, u.name AS user_name
    FROM credential_audit_logs a
    JOIN credentials cd ON cd.id = a.credential_id
    JOIN clients cl ON cl.id = cd.client_id
    LEFT JOIN users u ON u.id = a.user_id
    WHERE ${ownerUserId === null ? sql.fragment`TRUE` : sql.fragment`cl.owner_user_id = ${ownerUserId}`}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT ${limit}
  `);
