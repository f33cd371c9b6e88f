/**
 * /tasks/:id, a shareable task: its fields (due date relative to the user's today, times in their
 * zone), the status in place, an edit form and Delete, each offered only to those the API allows
 * (task-actions.ts); a refusal still shows in words.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { messageOf } from '../../ui/errors.ts';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { invalidateTaskViews, type Task, useTaskAccess, useToday } from './task-actions.ts';
import { TaskForm } from './task-form.tsx';
import { DueDate, PriorityBadge, StatusBadge, StatusSelect } from './task-table.tsx';

export function TaskPage() {
  const { id = '' } = useParams<{ id: string }>();
  const task = useQuery(trpc.tasks.get.queryOptions({ id }));
  if (task.isPending) return <Loading label="Loading the task…" />;
  if (task.isError) {
    return (
      <>
        <h1>Task</h1>
        <ErrorState error={task.error} onRetry={() => task.refetch()} />
        <Link href="/tasks">All tasks</Link>
      </>
    );
  }
  return <TaskView task={task.data} />;
}

function TaskView({ task }: { task: Task }) {
  const user = useUser();
  const today = useToday();
  const [, navigate] = useLocation();
  const access = useTaskAccess([task])(task);
  const [isDeleting, setDeleting] = useState(false);
  const [saved, setSaved] = useState(false);
  const remove = useMutation(
    trpc.tasks.delete.mutationOptions({
      // Leave first: refetching this page's task now would only find it gone.
      onSuccess: () => {
        navigate('/tasks', { replace: true });
        void invalidateTaskViews();
      },
    }),
  );

  return (
    <>
      <p className="breadcrumb">
        <Link href="/tasks">Tasks</Link> / <Link href={`/clients/${task.client.id}`}>{task.client.name}</Link>
      </p>
      <div className="page-header">
        <h1>{task.title}</h1>
        {access.canDelete && (
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete task
          </button>
        )}
      </div>
      <div className="columns">
        <section className="card" aria-labelledby="task-details">
          <h2 id="task-details">Details</h2>
          <dl className="details">
            <dt>Client</dt>
            <dd>
              <Link href={`/clients/${task.client.id}`}>{task.client.name}</Link>
              {task.client.company && <span className="muted"> · {task.client.company}</span>}
            </dd>
            <dt>Due</dt>
            <dd>
              <DueDate task={task} today={today} />
            </dd>
            <dt>Status</dt>
            <dd>{access.canEdit ? <StatusSelect task={task} /> : <StatusBadge status={task.status} />}</dd>
            <dt>Priority</dt>
            <dd>
              <PriorityBadge priority={task.priority} />
            </dd>
            <dt>Assignee</dt>
            <dd>{task.assignee ? task.assignee.name : <span className="muted">Nobody</span>}</dd>
            <dt>Description</dt>
            <dd className="prewrap">{task.description ?? <span className="muted">—</span>}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(task.createdAt, user.timezone)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(task.updatedAt, user.timezone)}</dd>
          </dl>
        </section>
        {access.canEdit ? (
          <section className="card" aria-labelledby="task-edit">
            <h2 id="task-edit">Edit task</h2>
            {saved && <p role="status">Saved.</p>}
            {/* Keyed by the last update: a status changed above refills the form. */}
            <TaskForm key={task.updatedAt} task={task} onSaved={() => setSaved(true)} />
          </section>
        ) : (
          <p className="muted">
            Only the task’s assignee, the client’s owner, managers and admins may change this task.
          </p>
        )}
      </div>
      {isDeleting && (
        <ConfirmDialog
          title="Delete this task?"
          message={
            <p>“{task.title}” is deleted for good. To keep it on record, set its status to Cancelled instead.</p>
          }
          confirmLabel="Delete task"
          isPending={remove.isPending}
          error={remove.isError ? messageOf(remove.error) : null}
          onConfirm={() => remove.mutate({ id: task.id })}
          onClose={() => {
            setDeleting(false);
            remove.reset();
          }}
        />
      )}
    </>
  );
}
