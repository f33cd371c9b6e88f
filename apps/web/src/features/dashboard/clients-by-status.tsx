/** The dashboard's count of clients per status, each a link to the client list filtered by it. */
import type { ClientStatus } from '@mini-crm/models';
import { Link } from 'wouter';
import { clientStatusLabels } from '../../ui/labels.ts';

export function ClientsByStatus({ counts }: { counts: Record<ClientStatus, number> }) {
  const statuses = Object.keys(clientStatusLabels) as ClientStatus[];
  const total = statuses.reduce((sum, status) => sum + counts[status], 0);
  return (
    <section className="card" aria-labelledby="clients-by-status-title">
      <h2 id="clients-by-status-title">Clients by status</h2>
      <ul className="stat-list">
        {statuses.map((status) => (
          <li key={status}>
            <Link href={`/clients?status=${status}`}>{clientStatusLabels[status]}</Link>
            <span className="stat">{counts[status].toLocaleString('en-GB')}</span>
          </li>
        ))}
      </ul>
      <p className="muted">
        <Link href="/clients">All {total.toLocaleString('en-GB')} clients</Link>
      </p>
    </section>
  );
}
