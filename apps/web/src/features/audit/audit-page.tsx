/**
 * /audit: who used which credential, when, from where. Admins and managers see every credential;
 * a user sees those of the clients they own (the API filters, so counts match what is shown).
 */
import { isStaff, useUser } from '../../app/session.tsx';
import { AuditLog } from './audit-log.tsx';
import { AuditSummaryPanel, StaleCredentialsPanel, UnusualAccessPanel } from './audit-panels.tsx';

export function AuditPage() {
  const user = useUser();
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">
        {isStaff(user)
          ? 'Every credential’s history: views, reveals and changes, with who, when and from where.'
          : 'The history of the credentials of the clients you own. Times are in your time zone.'}
      </p>
      <UnusualAccessPanel />
      <StaleCredentialsPanel />
      <AuditLog />
      <AuditSummaryPanel />
    </>
  );
}
