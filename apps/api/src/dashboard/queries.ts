/**
 * SQL of dashboard.summary. "Today" is the transaction's CURRENT_DATE, i.e. the caller's (trpc.ts
 * sets TimeZone per request). No query here reads a credential's secret.
 */
import { ClientStatus } from '@mini-crm/models';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { Count, DateOnly } from '../rows.ts';
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
