/**
 * The dashboard's two vault panels for managers and admins: the latest credential activity (from
 * dashboard.summary) and the unusual-access alerts (audit.unusualAccess: a credential with more
 * than 10 events or from more than 3 addresses in 24 hours). Times in the user's zone.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { type RouterOutputs, trpc } from '../../app/trpc.ts';
import { Badge } from '../../ui/badge.tsx';
import { auditActionLabels } from '../../ui/labels.ts';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';

type ActivityEntry = RouterOutputs['dashboard']['summary']['recentCredentialActivity'][number];

const CredentialLabel = ({ credential }: { credential: { label: string; isDeleted: boolean } }) => (
  <>
    {credential.label}
    {credential.isDeleted && <span className="muted"> (deleted)</span>}
  </>
);

export function CredentialActivity({ entries, timeZone }: { entries: readonly ActivityEntry[]; timeZone: string }) {
  return (
    <section className="card" aria-labelledby="credential-activity-title">
      <h2 id="credential-activity-title">Recent credential activity</h2>
      {entries.length === 0 ? (
        <Empty>No credential activity yet.</Empty>
      ) : (
        <ul className="activity-list">
          {entries.map((entry) => (
            <li key={entry.id}>
              <div>
                <strong>{entry.user?.name ?? 'System'}</strong>{' '}
                <Badge tone={entry.action === 'decrypt' ? 'warn' : 'neutral'}>{auditActionLabels[entry.action]}</Badge>{' '}
                <CredentialLabel credential={entry.credential} /> ·{' '}
                <Link href={`/clients/${entry.client.id}`}>{entry.client.name}</Link>
              </div>
              <div className="muted">
                <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt, timeZone)}</time>
                {entry.ipAddress && ` · ${entry.ipAddress}`}
              </div>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link href="/audit">Full audit log</Link>
      </p>
    </section>
  );
}

export function UnusualAccess({ timeZone }: { timeZone: string }) {
  const alerts = useQuery(trpc.audit.unusualAccess.queryOptions());
  return (
    <section className="card" aria-labelledby="unusual-access-title">
      <h2 id="unusual-access-title">Unusual access</h2>
      <p className="muted">Credentials used more than 10 times, or from more than 3 addresses, in the last 24 hours.</p>
      {alerts.isPending ? (
        <Loading label="Checking access…" />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
      ) : alerts.data.length === 0 ? (
        <Empty>No unusual access in the last 24 hours.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="unusual-access-title">
            <thead>
              <tr>
                <th scope="col">Credential</th>
                <th scope="col">Client</th>
                <th scope="col">Events</th>
                <th scope="col">Addresses</th>
                <th scope="col">Users</th>
                <th scope="col">Last access</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.map((alert) => (
                <tr key={alert.credential.id}>
                  <td>
                    <CredentialLabel credential={alert.credential} />
                  </td>
                  <td>
                    <Link href={`/clients/${alert.client.id}`}>{alert.client.name}</Link>
                  </td>
                  <td>{alert.accessCount}</td>
                  <td>{alert.uniqueIpCount}</td>
                  <td>{alert.uniqueUserCount}</td>
                  <td>{formatDateTime(alert.lastAccessedAt, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
