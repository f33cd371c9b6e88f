/**
 * SQL of dashboard.summary. "Today" is CURRENT_DATE in the caller's time zone (the request's
 * settings set TimeZone; auth/sessions.ts). No query here reads a credential's secret. Every statement is prepared
 * (db.ts): each reads one user's keys or fixed conditions.
 */
import { ClientStatus } from '@mini-crm/models';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { prepared } from '../db.ts';
import { Count, DateOnly } from '../rows.ts';
import { cappedCount, limitOf } from '../sql-fragments.ts';
import { TaskRow, taskColumns, urgencyConditions } from '../tasks/queries.ts';

const TodayAndClientsRow = z.object({
  today: DateOnly,
  clients_by_status: z.partialRecord(ClientStatus, z.number().int()),
});

/**
 * The caller's today and every client counted by status, in one statement: the counts are
 * maintained by the clients' triggers (client_status_counts, a row per status however many clients).
 */
export const todayAndClientsByStatus = (db: CommonQueryMethods) =>
  db.one(
    prepared(sql.type(TodayAndClientsRow)`
      /* dashboard.todayAndClients */
      SELECT CURRENT_DATE::text AS today,
        (SELECT COALESCE(json_object_agg(status, client_count), '{}') FROM client_status_counts) AS clients_by_status
    `),
  );

const UrgentTaskRow = TaskRow.extend({ urgency_total: Count });

const urgentKinds = ['overdue', 'due_today', 'due_soon'] as const;

/**
 * The user's open tasks that are overdue, due today or due within 7 days: at most `limit` of each
 * urgency (earliest due first), each row carrying its urgency's count up to totalCap (toTotal).
 * Each urgency is a range of idx_tasks_open_assignee_due_date, read for its page and its count.
 */
export function listUrgentTasksOf(db: CommonQueryMethods, userId: number, limit: number) {
  const branches = urgentKinds.map((urgency) => {
    const mine = sql.fragment`t.assigned_user_id = ${userId} AND ${urgencyConditions[urgency]}`;
    return sql.fragment`(
      SELECT ${taskColumns}, (${cappedCount(sql.fragment`tasks t`, mine, sql.fragment`t.due_date, t.uuid`)}) AS urgency_total
      FROM task_overview t
      WHERE ${mine}
      ORDER BY t.due_date, t.uuid
      ${limitOf(limit)}
    )`;
  });
  return db.any(
    prepared(sql.type(UrgentTaskRow)`
      /* dashboard.urgentTasks */
      SELECT * FROM (${sql.join(branches, sql.fragment` UNION ALL `)}) AS urgent
      ORDER BY urgent.due_date, urgent.uuid
    `),
  );
}
