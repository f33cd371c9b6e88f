/**
 * The spec's monitoring views beside the log: unusual access (more than 10 events or more than 3
 * IPs on a credential in 24 hours), stale credentials (untouched for 30 days) and the per-credential
 * summary. A credential's name filters the log to it (a link, so it is also shareable).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Badge } from '../../ui/badge.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';

/** Long lists show this many rows until asked for all. */
const firstRows = 20;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const logOf = (credentialId: string) => `/audit?credential=${credentialId}`;

function CredentialLink({ id, label }: { id: string; label: string }) {
  return (
    <Link href={logOf(id)} aria-label={`${label}: show its entries in the log`}>
      {label}
    </Link>
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

export function UnusualAccessPanel() {
  const unusual = useQuery(trpc.audit.unusualAccess.queryOptions());
  const lastAccess = useLastAccess();
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
        <ul className="alert-list">
          {unusual.data.map((row) => (
            <li key={row.credential.id}>
              <Badge tone="danger">{plural(row.accessCount, 'event')}</Badge>{' '}
              <CredentialLink id={row.credential.id} label={row.credential.label} /> ({row.client.name}
              {row.credential.isDeleted && ', deleted'}): {plural(row.uniqueIpCount, 'IP')},{' '}
              {plural(row.uniqueUserCount, 'user')}, last {lastAccess(row.lastAccessedAt)}
            </li>
          ))}
        </ul>
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
  const summary = useQuery(trpc.audit.summary.queryOptions());
  const lastAccess = useLastAccess();
  const [isAll, setAll] = useState(false);
  return (
    <section className="card" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Per credential</h2>
      {summary.isPending ? (
        <Loading />
      ) : summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
      ) : summary.data.length === 0 ? (
        <Empty>No credentials yet.</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Access per credential</caption>
              <thead>
                <tr>
                  <th scope="col">Credential</th>
                  <th scope="col">Client</th>
                  <th scope="col">Events</th>
                  <th scope="col">Views</th>
                  <th scope="col">Reveals</th>
                  <th scope="col">Users</th>
                  <th scope="col">IPs</th>
                  <th scope="col">Last access</th>
                </tr>
              </thead>
              <tbody>
                {(isAll ? summary.data : summary.data.slice(0, firstRows)).map((row) => (
                  <tr key={row.credential.id}>
                    <td>
                      <CredentialLink id={row.credential.id} label={row.credential.label} />{' '}
                      {row.isDeleted && <Badge tone="danger">deleted</Badge>}
                    </td>
                    <td>
                      <Link href={`/clients/${row.client.id}`}>{row.client.name}</Link>
                    </td>
                    <td>{row.accessCount}</td>
                    <td>{row.viewCount}</td>
                    <td>{row.decryptCount}</td>
                    <td>{row.uniqueUserCount}</td>
                    <td>{row.uniqueIpCount}</td>
                    <td className="nowrap">{lastAccess(row.lastAccessedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ShowAll total={summary.data.length} isAll={isAll} onShowAll={() => setAll(true)} />
        </>
      )}
    </section>
  );
}
