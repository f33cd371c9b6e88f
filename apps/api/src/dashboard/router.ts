/**
 * dashboard.summary: the signed-in user's start page. Their own open tasks by urgency (in their
 * time zone), every client counted by status, and the credential activity they may see: all of it
 * for managers and admins, that of the clients they own for a `user` (as the vault itself).
 */
import { ClientStatus, dashboardActivityLimit, dashboardTaskLimit, type TaskUrgency } from '@mini-crm/models';
import { listAuditEntries } from '../audit/queries.ts';
import { toAuditEntry, visibilityOf } from '../audit/router.ts';
import { toTotal } from '../pagination.ts';
import { toTask } from '../tasks/router.ts';
import { authedProcedure, router } from '../trpc.ts';
import { listUrgentTasksOf, todayAndClientsByStatus } from './queries.ts';

export const dashboardRouter = router({
  summary: authedProcedure.query(async ({ ctx }) => {
    const { today, clients_by_status: counted } = await todayAndClientsByStatus(ctx.db);
    const urgent = await listUrgentTasksOf(ctx.db, ctx.user.id, dashboardTaskLimit);
    const tasksOf = (urgency: TaskUrgency) => {
      const rows = urgent.filter((row) => row.urgency_status === urgency);
      return { items: rows.map(toTask), ...toTotal(rows[0]?.urgency_total ?? 0) };
    };

    const clientsByStatus = Object.fromEntries(ClientStatus.options.map((status) => [status, counted[status] ?? 0]));

    const noFilters = { credentialId: null, userId: null, action: null, from: null, to: null };
    const activity = await listAuditEntries(ctx.db, noFilters, visibilityOf(ctx.user), null, dashboardActivityLimit);

    return {
      /** The caller's today (YYYY-MM-DD), the day "overdue" and "due today" are measured from. */
      today,
      timezone: ctx.user.timezone,
      myTasks: { overdue: tasksOf('overdue'), dueToday: tasksOf('due_today'), dueSoon: tasksOf('due_soon') },
      clientsByStatus: clientsByStatus as Record<ClientStatus, number>,
      recentCredentialActivity: activity.slice(0, dashboardActivityLimit).map(toAuditEntry),
    };
  }),
});
