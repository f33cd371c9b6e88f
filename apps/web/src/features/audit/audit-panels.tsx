/**
 * The spec's monitoring views beside the log: unusual access (more than 10 events or more than 3
 * IPs on a credential in 24 hours), stale credentials (untouched for 30 days) and the per-credential
 * summary. A credential's name filters the log to it (a link, so it is also shareable). The
 * dashboard shows the unusual-access panel too.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Badge } from '../../ui/badge.tsx';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';

/** Long lists show this many rows until asked for more (all, or the next page). */
const firstRows = 20;

const logOf = (credentialId: string) => `/audit?credential=${credentialId}`;

function CredentialLink({ id, label }: { id: string; label: string }) {
  return (
    <Link href={logOf(id)} aria-label={`${label}: show its entries in the log`}>
      {label}
    </Link>
  );
}

/** Access figures of one credential, as audit.summary and audit.unusualAccess give them. */
type Figures = {
  credential: { id: string; label: string };
  client: { id: string; name: string };
  isDeleted: boolean;
  accessCount: number;
  uniqueUserCount: number;
  uniqueIpCount: number;
  lastAccessedAt: string | null;
  viewCount?: number;
  decryptCount?: number;
};

type FiguresProps = {
  rows: readonly Figures[];
  caption: string;
  /** Break the events down into views and reveals (the summary has them). */
  withBreakdown?: boolean;
};

/** One row per credential; its name leads to its entries in the log. */
function FiguresTable({ rows, caption, withBreakdown = false }: FiguresProps) {
  const lastAccess = useLastAccess();
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Credential</th>
            <th scope="col">Client</th>
            <th scope="col">Events</th>
            {withBreakdown && (
              <>
                <th scope="col">Views</th>
                <th scope="col">Reveals</th>
              </>
            )}
            <th scope="col">Users</th>
            <th scope="col">IPs</th>
            <th scope="col">Last access</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.credential.id}>
              <td>
                <CredentialLink id={row.credential.id} label={row.credential.label} />
                {row.isDeleted && (
                  <>
                    {' '}
                    <Badge tone="danger">deleted</Badge>
                  </>
                )}
              </td>
              <td>
                <Link href={`/clients/${row.client.id}`}>{row.client.name}</Link>
              </td>
              <td>{row.accessCount}</td>
              {withBreakdown && (
                <>
                  <td>{row.viewCount}</td>
                  <td>{row.decryptCount}</td>
                </>
              )}
              <td>{row.uniqueUserCount}</td>
              <td>{row.uniqueIpCount}</td>
              <td className="nowrap">{lastAccess(row.lastAccessedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function useLastAccess() {
  const user = useUser();
  return (iso: string | null) => (iso ? formatDateTime(iso, user.timezone) : 'never');
}

/** "Show all 240" under a cut list. */
function ShowAll({ total, isAll, onShowAll }: { total: number; isAll: boolean; onShowAll: () => void }) {
  if (isAll || total <= firstRows) return null;
  return (
    <button type="button" className="link-button" onClick={onShowAll}>
      Show all {total}
    </button>
  );
}

/** Shown on the audit page and, for managers and admins, on the dashboard. */
export function UnusualAccessPanel() {
  const unusual = useQuery(trpc.audit.unusualAccess.queryOptions());
  return (
    <section className="card" aria-labelledby="unusual-heading">
      <h2 id="unusual-heading">Unusual access</h2>
      <p className="muted">More than 10 events or more than 3 IP addresses on one credential in the last 24 hours.</p>
      {unusual.isPending ? (
        <Loading />
      ) : unusual.isError ? (
        <ErrorState error={unusual.error} onRetry={() => unusual.refetch()} />
      ) : unusual.data.length === 0 ? (
        <Empty>Nothing unusual in the last 24 hours.</Empty>
      ) : (
        <FiguresTable
          rows={unusual.data.map((row) => ({ ...row, isDeleted: row.credential.isDeleted }))}
          caption="Unusual access"
        />
      )}
    </section>
  );
}

export function StaleCredentialsPanel() {
  const stale = useQuery(trpc.audit.staleCredentials.queryOptions());
  const lastAccess = useLastAccess();
  const [isAll, setAll] = useState(false);
  return (
    <section className="card" aria-labelledby="stale-heading">
      <h2 id="stale-heading">Stale credentials</h2>
      <p className="muted">Not used or changed for 30 days: still needed? Still valid?</p>
      {stale.isPending ? (
        <Loading />
      ) : stale.isError ? (
        <ErrorState error={stale.error} onRetry={() => stale.refetch()} />
      ) : stale.data.length === 0 ? (
        <Empty>Every credential was used or changed in the last 30 days.</Empty>
      ) : (
        <>
          <ul className="alert-list">
            {(isAll ? stale.data : stale.data.slice(0, firstRows)).map((row) => (
              <li key={row.credential.id}>
                <CredentialLink id={row.credential.id} label={row.credential.label} /> (
                <Link href={`/clients/${row.client.id}`}>{row.client.name}</Link>): last access{' '}
                {lastAccess(row.lastAccessedAt)}
              </li>
            ))}
          </ul>
          <ShowAll total={stale.data.length} isAll={isAll} onShowAll={() => setAll(true)} />
        </>
      )}
    </section>
  );
}

export function AuditSummaryPanel() {
  const summary = useInfiniteQuery(
    trpc.audit.summary.infiniteQueryOptions({ limit: firstRows }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const rows = loadedItems(summary);
  return (
    <section className="card" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Per credential</h2>
      {summary.isPending ? (
        <Loading />
      ) : summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>No credentials yet.</Empty>
      ) : (
        <>
          <FiguresTable rows={rows} caption="Access per credential" withBreakdown />
          <LoadMore list={summary} noun="credentials" />
        </>
      )}
    </section>
  );
}
