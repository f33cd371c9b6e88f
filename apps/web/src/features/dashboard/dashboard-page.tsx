/**
 * The start page (/): the signed-in user's overdue, due-today and due-soon tasks measured from
 * their own today (dashboard.summary answers it in their zone), clients by status, and for managers
 * and admins the recent credential activity and unusual-access alerts. Every list leads on to the
 * full, filtered list it summarises.
 */
import { useQuery } from '@tanstack/react-query';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { formatDay } from '../../ui/time.ts';
import { UnusualAccessPanel } from '../audit/audit-panels.tsx';
import { ClientsByStatus } from './clients-by-status.tsx';
import { MyTaskList } from './my-task-list.tsx';
import { CredentialActivity } from './vault-panels.tsx';

export function DashboardPage() {
  const user = useUser();
  const summary = useQuery(trpc.dashboard.summary.queryOptions());
  return (
    <>
      <h1>Dashboard</h1>
      {summary.isPending ? (
        <Loading label="Loading your dashboard…" />
      ) : summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
      ) : (
        <>
          <p className="muted">
            Today is {formatDay(summary.data.today)} in {summary.data.timezone}.
          </p>
          <section aria-labelledby="my-tasks-title">
            <h2 id="my-tasks-title">My tasks</h2>
            <div className="columns">
              <MyTaskList
                title="Overdue"
                urgency="overdue"
                list={summary.data.myTasks.overdue}
                today={summary.data.today}
              />
              <MyTaskList
                title="Due today"
                urgency="due_today"
                list={summary.data.myTasks.dueToday}
                today={summary.data.today}
              />
              <MyTaskList
                title="Due soon"
                urgency="due_soon"
                list={summary.data.myTasks.dueSoon}
                today={summary.data.today}
              />
            </div>
          </section>
          <ClientsByStatus counts={summary.data.clientsByStatus} />
          {/* The vault's tables take the full width; audit.unusualAccess is asked only for managers and admins. */}
          {isStaff(user) && (
            <>
              <CredentialActivity entries={summary.data.recentCredentialActivity} />
              <UnusualAccessPanel />
            </>
          )}
        </>
      )}
    </>
  );
}
