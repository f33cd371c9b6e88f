/**
 * The dashboard's latest credential activity for managers and admins (from dashboard.summary),
 * leading on to the full audit log. The unusual-access alerts beside it are the audit page's panel.
 */
import { Link } from 'wouter';
import { Empty } from '../../ui/states.tsx';
import { type AuditEntry, AuditEntryTable } from '../audit/audit-entry-table.tsx';

export function CredentialActivity({ entries }: { entries: readonly AuditEntry[] }) {
  return (
    <section className="card" aria-labelledby="credential-activity-title">
      <h2 id="credential-activity-title">Recent credential activity</h2>
      {entries.length === 0 ? (
        <Empty>No credential activity yet.</Empty>
      ) : (
        <AuditEntryTable
          entries={entries}
          columns={['user', 'action', 'credential', 'client', 'when', 'ip']}
          caption="Recent credential activity, newest first"
          isCaptionHidden
        />
      )}
      <p>
        <Link href="/audit">Full audit log</Link>
      </p>
    </section>
  );
}
