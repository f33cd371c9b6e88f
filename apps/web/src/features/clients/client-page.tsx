/**
 * One client (/clients/:id): its fields, its local time now, its figures from client_overview, and
 * tabs for its tasks and credentials (the tab is in the URL, ?tab=credentials, so it can be shared).
 * Edit and archive are offered to its owner, managers and admins; delete to managers and admins.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { isStaff, useUser } from '../../app/session.tsx';
import { httpStatusOf, trpc } from '../../app/trpc.ts';
import { TagList } from '../../ui/badge.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useUrlFilters } from '../../ui/url-state.ts';
import { WebLink } from '../../ui/web-link.tsx';
import { CredentialsPanel } from '../credentials/credentials-panel.tsx';
import { ClientTasks } from '../tasks/client-tasks.tsx';
import { ArchiveButton, DeleteClientDialog } from './client-actions.tsx';
import { type Client, ClientFormDialog } from './client-form.tsx';
import { ClientStatusBadge } from './client-status.tsx';
import { ClientTabs } from './client-tabs.tsx';
import { clientListHref } from './list-link.ts';
import { LocalTime } from './local-time.tsx';

export function ClientPage() {
  const { id } = useParams<{ id: string }>();
  const client = useQuery(trpc.clients.get.queryOptions({ id }));

  if (client.isPending) return <Loading label="Loading the client…" />;
  if (client.isError) {
    const status = httpStatusOf(client.error);
    // A link to a deleted client, or a mistyped id.
    if (status === 404 || status === 400) {
      return (
        <>
          <h1>Client not found</h1>
          <Empty>
            This client does not exist (it may have been deleted). <Link href={clientListHref()}>Back to clients</Link>
          </Empty>
        </>
      );
    }
    return (
      <>
        <h1>Client</h1>
        <ErrorState error={client.error} onRetry={() => client.refetch()} />
      </>
    );
  }
  return <ClientDetail client={client.data} />;
}

type Dialogs = 'edit' | 'delete' | null;

function ClientDetail({ client }: { client: Client }) {
  const user = useUser();
  const [, navigate] = useLocation();
  const [open, setOpen] = useState<Dialogs>(null);
  const [{ tab }, setUrl] = useUrlFilters(['tab']);
  const canEdit = isStaff(user) || client.ownerId === user.id;
  const canDelete = isStaff(user);

  return (
    <>
      <p className="back-link">
        <Link href={clientListHref()}>← All clients</Link>
      </p>
      <div className="page-header">
        <div className="client-title">
          <h1>{client.name}</h1>
          <ClientStatusBadge status={client.status} />
        </div>
        {canEdit ? (
          <div className="actions">
            <button type="button" className="primary" onClick={() => setOpen('edit')}>
              Edit
            </button>
            <ArchiveButton client={client} />
            {canDelete && (
              <button type="button" className="danger" onClick={() => setOpen('delete')}>
                Delete
              </button>
            )}
          </div>
        ) : (
          <p className="muted">Only its owner, a manager or an admin can change this client.</p>
        )}
      </div>

      <div className="columns">
        <section className="card" aria-labelledby="client-details-title">
          <h2 id="client-details-title">Details</h2>
          <dl className="details">
            <dt>Company</dt>
            <dd>{client.company ?? <span className="muted">—</span>}</dd>
            <dt>E-mail</dt>
            <dd>
              {client.email ? <a href={`mailto:${client.email}`}>{client.email}</a> : <span className="muted">—</span>}
            </dd>
            <dt>Phone</dt>
            <dd>
              {client.phone ? <a href={`tel:${client.phone}`}>{client.phone}</a> : <span className="muted">—</span>}
            </dd>
            <dt>Website</dt>
            <dd>
              <WebLink href={client.websiteUrl} />
            </dd>
            <dt>Owner</dt>
            <dd>{client.owner ? client.owner.name : <span className="muted">No owner</span>}</dd>
            <dt>Tags</dt>
            <dd>
              <TagList tags={client.tags} />
            </dd>
            <dt>Local time</dt>
            <dd>
              <LocalTime timeZone={client.timezone} />
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(client.createdAt, user.timezone)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(client.updatedAt, user.timezone)}</dd>
          </dl>
        </section>
        <div>
          <section className="card" aria-labelledby="client-figures-title">
            <h2 id="client-figures-title">At a glance</h2>
            <ul className="figures" aria-label="Figures">
              <Figure value={client.taskCount} label="tasks" />
              <Figure value={client.pendingTasks} label="pending" />
              <Figure value={client.inProgressTasks} label="in progress" />
              <Figure
                value={client.overdueTasks}
                label="overdue"
                tone={client.overdueTasks > 0 ? 'danger' : undefined}
              />
              <Figure value={client.completedTasks} label="completed" />
              <Figure
                value={client.credentialCount}
                label={client.credentialCount === 1 ? 'credential' : 'credentials'}
              />
            </ul>
          </section>
          <section className="card" aria-labelledby="client-notes-title">
            <h2 id="client-notes-title">Notes</h2>
            {client.notes ? <p className="notes">{client.notes}</p> : <p className="muted">No notes.</p>}
          </section>
        </div>
      </div>

      <ClientTabs
        current={tab === 'credentials' ? 'credentials' : 'tasks'}
        onChange={(next) => setUrl({ tab: next === 'tasks' ? null : next })}
        panels={{
          tasks: { label: 'Tasks', render: () => <ClientTasks clientId={client.id} /> },
          credentials: {
            label: 'Credentials',
            render: () => <CredentialsPanel clientId={client.id} canEdit={canEdit} />,
          },
        }}
      />

      {open === 'edit' && (
        <ClientFormDialog client={client} onClose={() => setOpen(null)} onSaved={() => setOpen(null)} />
      )}
      {open === 'delete' && (
        <DeleteClientDialog
          client={client}
          onClose={() => setOpen(null)}
          onDeleted={() => navigate(clientListHref(), { replace: true })}
        />
      )}
    </>
  );
}

function Figure({ value, label, tone }: { value: number; label: string; tone?: 'danger' | undefined }) {
  return (
    <li data-tone={tone}>
      <strong>{value}</strong> {label}
    </li>
  );
}
