/**
 * A client's credentials, the Credentials tab of the client page: the list (never a secret), Reveal
 * on demand, create/edit/delete for those who may (`canEdit`: the owner or staff), and each
 * credential's activity beside it. A user who does not own the client gets the API's refusal in
 * words, not an empty list.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useUser } from '../../app/session.tsx';
import { httpStatusOf, queryClient, trpc } from '../../app/trpc.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { messageOf } from '../../ui/errors.ts';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { WebLink } from '../../ui/web-link.tsx';
import { CredentialActivity } from './credential-activity.tsx';
import { type Credential, CredentialForm } from './credential-form.tsx';
import { Reveal } from './reveal.tsx';

type Props = { clientId: string; canEdit: boolean };

/** What the dialog shows: a new credential, an edit, or a delete confirmation. */
type Editing =
  | { kind: 'create' }
  | { kind: 'edit'; credential: Credential }
  | { kind: 'delete'; credential: Credential };

export function CredentialsPanel({ clientId, canEdit }: Props) {
  const list = useQuery(trpc.credentials.list.queryOptions({ clientId }));
  const [editing, setEditing] = useState<Editing | null>(null);

  let body: React.ReactNode;
  if (list.isPending) body = <Loading label="Loading credentials…" />;
  else if (list.isError) {
    body =
      httpStatusOf(list.error) === 403 ? (
        <p className="error-state" role="alert">
          Not allowed: only this client’s owner, a manager or an admin may see its credentials.
        </p>
      ) : (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      );
  } else if (list.data.length === 0) {
    body = <Empty>No credentials for this client yet.{canEdit && ' Add the first one with “Add credential”.'}</Empty>;
  } else {
    body = (
      <ul className="credential-list">
        {list.data.map((credential) => (
          <li key={credential.id}>
            <CredentialCard
              credential={credential}
              canEdit={canEdit}
              onEdit={() => setEditing({ kind: 'edit', credential })}
              onDelete={() => setEditing({ kind: 'delete', credential })}
            />
          </li>
        ))}
      </ul>
    );
  }

  const canAdd = canEdit && !list.isError;
  return (
    <section aria-labelledby="credentials-heading">
      <div className="page-header">
        <h2 id="credentials-heading">Credentials</h2>
        {canAdd && (
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'create' })}>
            Add credential
          </button>
        )}
      </div>
      {body}
      {editing?.kind === 'create' && <CredentialForm clientId={clientId} onClose={() => setEditing(null)} />}
      {editing?.kind === 'edit' && (
        <CredentialForm clientId={clientId} credential={editing.credential} onClose={() => setEditing(null)} />
      )}
      {editing?.kind === 'delete' && (
        <DeleteCredential credential={editing.credential} onClose={() => setEditing(null)} />
      )}
    </section>
  );
}

type CardProps = { credential: Credential; canEdit: boolean; onEdit: () => void; onDelete: () => void };

function CredentialCard({ credential, canEdit, onEdit, onDelete }: CardProps) {
  const user = useUser();
  const headingId = `credential-${credential.id}`;
  return (
    <article className="card credential" aria-labelledby={headingId}>
      <div className="credential-main">
        <h3 id={headingId}>{credential.label}</h3>
        <dl className="details">
          <dt>Username</dt>
          <dd>{credential.username ?? <span className="muted">—</span>}</dd>
          <dt>URL</dt>
          <dd>
            <WebLink href={credential.url} />
          </dd>
          {credential.notes && (
            <>
              <dt>Notes</dt>
              <dd className="notes">{credential.notes}</dd>
            </>
          )}
          <dt>Updated</dt>
          <dd>{formatDateTime(credential.updatedAt, user.timezone)}</dd>
          <dt>Secret</dt>
          <dd>
            {credential.hasValue ? (
              <Reveal credentialId={credential.id} label={credential.label} />
            ) : (
              <span className="muted">none stored</span>
            )}
          </dd>
        </dl>
        {canEdit && (
          <div className="actions">
            <button type="button" onClick={onEdit} aria-label={`Edit ${credential.label}`}>
              Edit
            </button>
            <button type="button" onClick={onDelete} aria-label={`Delete ${credential.label}`}>
              Delete
            </button>
          </div>
        )}
      </div>
      <CredentialActivity credentialId={credential.id} label={credential.label} />
    </article>
  );
}

function DeleteCredential({ credential, onClose }: { credential: Credential; onClose: () => void }) {
  const remove = useMutation(
    trpc.credentials.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries(trpc.credentials.pathFilter());
        void queryClient.invalidateQueries(trpc.audit.pathFilter());
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      title={`Delete ${credential.label}?`}
      message={<p>The credential leaves this list; its audit history stays in the audit log.</p>}
      confirmLabel="Delete credential"
      isPending={remove.isPending}
      error={remove.isError ? messageOf(remove.error) : null}
      onConfirm={() => remove.mutate({ id: credential.id })}
      onClose={onClose}
    />
  );
}
