/**
 * Archive (and restore) and delete a client. Archiving is a status change any editor of the client
 * may make and undo. Deleting is for managers and admins, after a confirmation; the API refuses it
 * for a client with credentials (their audit trail would go with it), and the dialog then says so
 * and offers to archive instead.
 */
import { useMutation } from '@tanstack/react-query';
import { httpStatusOf, queryClient, trpc } from '../../app/trpc.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { messageOf } from '../../ui/errors.ts';
import { type Client, invalidateClients } from './client-form.tsx';

function useArchive(onDone?: () => void) {
  return useMutation(
    trpc.clients.update.mutationOptions({
      onSuccess: () => {
        invalidateClients();
        onDone?.();
      },
    }),
  );
}

/** "Archive", or "Restore" for an archived client (back to active). */
export function ArchiveButton({ client }: { client: Client }) {
  const archive = useArchive();
  const isArchived = client.status === 'archived';
  return (
    <>
      <button
        type="button"
        disabled={archive.isPending}
        onClick={() => archive.mutate({ id: client.id, status: isArchived ? 'active' : 'archived' })}
      >
        {isArchived ? 'Restore' : 'Archive'}
      </button>
      {archive.isError && (
        <p className="form-error" role="alert">
          {messageOf(archive.error)}
        </p>
      )}
      <span className="visually-hidden" role="status">
        {archive.isSuccess ? (archive.variables.status === 'archived' ? 'Archived.' : 'Restored.') : ''}
      </span>
    </>
  );
}

type DeleteProps = { client: Client; onClose: () => void; onDeleted: () => void };

export function DeleteClientDialog({ client, onClose, onDeleted }: DeleteProps) {
  const remove = useMutation(
    trpc.clients.delete.mutationOptions({
      onSuccess: () => {
        onDeleted();
        // The page is leaving: drop the deleted client rather than have it fetched again (a 404).
        queryClient.removeQueries(trpc.clients.get.queryFilter({ id: client.id }));
        invalidateClients();
        void queryClient.invalidateQueries(trpc.tasks.pathFilter());
      },
    }),
  );
  const archive = useArchive(onClose);
  const isRefused = httpStatusOf(remove.error) === 409;
  const tasks = client.taskCount === 1 ? 'its task' : `its ${client.taskCount} tasks`;

  return (
    <Dialog title={`Delete ${client.name}?`} onClose={onClose}>
      <div className="dialog-body">
        <p>
          This deletes {client.name} and {tasks} for good; it cannot be undone. To keep them, archive the client
          instead.
        </p>
        {remove.isError && (
          <p className="form-error" role="alert">
            {messageOf(remove.error)}
          </p>
        )}
        {archive.isError && (
          <p className="form-error" role="alert">
            {messageOf(archive.error)}
          </p>
        )}
      </div>
      <footer className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {isRefused ? (
          client.status !== 'archived' && (
            <button
              type="button"
              className="primary"
              disabled={archive.isPending}
              onClick={() => archive.mutate({ id: client.id, status: 'archived' })}
            >
              Archive instead
            </button>
          )
        ) : (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ id: client.id })}
          >
            {remove.isPending ? 'Deleting…' : 'Delete client'}
          </button>
        )}
      </footer>
    </Dialog>
  );
}
