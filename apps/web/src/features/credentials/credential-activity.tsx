/**
 * One credential's audit trail beside it (audit.list for that credential, newest first): who did
 * what, when (in the user's time zone), from which IP and browser. A reveal or an edit invalidates
 * audit.*, so the new row appears here at once.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Badge } from '../../ui/badge.tsx';
import { auditActionLabels } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { shortUserAgent } from '../audit/user-agent.ts';

const pageSize = 5;

export const activityQuery = (credentialId: string) =>
  trpc.audit.list.infiniteQueryOptions(
    { credentialId, limit: pageSize },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );

export function CredentialActivity({ credentialId, label }: { credentialId: string; label: string }) {
  const user = useUser();
  const activity = useInfiniteQuery(activityQuery(credentialId));
  if (activity.isPending) return <Loading label="Loading activity…" />;
  if (activity.isError) return <ErrorState error={activity.error} onRetry={() => activity.refetch()} />;
  const entries = activity.data.pages.flatMap((page) => page.items);
  const total = activity.data.pages[0]?.total ?? 0;
  if (entries.length === 0) return <Empty>No activity yet.</Empty>;
  return (
    <div className="activity">
      {/* Focusable, so a keyboard can scroll the table sideways when the column is narrow (it holds no link). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <section className="table-wrap" aria-label={`Activity of ${label}, scrollable`} tabIndex={0}>
        <table>
          <caption>Activity of {label}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">IP</th>
              <th scope="col">Browser</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className="nowrap">{formatDateTime(entry.createdAt, user.timezone)}</td>
                <td>{entry.user?.name ?? <span className="muted">system</span>}</td>
                <td>
                  <Badge tone={entry.action === 'decrypt' ? 'warn' : 'neutral'}>
                    {auditActionLabels[entry.action]}
                  </Badge>
                </td>
                <td>{entry.ipAddress ?? <span className="muted">unknown</span>}</td>
                <td title={entry.userAgent ?? undefined}>{shortUserAgent(entry.userAgent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <LoadMore
        shown={entries.length}
        total={total}
        hasMore={activity.hasNextPage}
        isLoading={activity.isFetchingNextPage}
        onLoadMore={() => activity.fetchNextPage()}
        noun="entries"
      />
      <Link href={`/audit?credential=${credentialId}`}>Full history in the audit log</Link>
    </div>
  );
}
