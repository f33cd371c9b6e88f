/**
 * One credential's audit trail beside it (audit.list for that credential, newest first): who did
 * what, when (in the user's time zone), from which IP and browser. A reveal or an edit invalidates
 * audit.*, so the new row appears here at once.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { trpc } from '../../app/trpc.ts';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { AuditEntryTable } from '../audit/audit-entry-table.tsx';

const pageSize = 5;

export const activityQuery = (credentialId: string) =>
  trpc.audit.list.infiniteQueryOptions(
    { credentialId, limit: pageSize },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );

export function CredentialActivity({ credentialId, label }: { credentialId: string; label: string }) {
  const activity = useInfiniteQuery(activityQuery(credentialId));
  if (activity.isPending) return <Loading label="Loading activity…" />;
  if (activity.isError) return <ErrorState error={activity.error} onRetry={() => activity.refetch()} />;
  const entries = loadedItems(activity);
  if (entries.length === 0) return <Empty>No activity yet.</Empty>;
  return (
    <div className="activity">
      <AuditEntryTable
        entries={entries}
        columns={['when', 'user', 'action', 'ip', 'browser']}
        caption={`Activity of ${label}`}
      />
      <LoadMore list={activity} noun="entries" />
      <Link href={`/audit?credential=${credentialId}`}>Full history in the audit log</Link>
    </div>
  );
}
