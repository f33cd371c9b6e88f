/**
 * Create or edit a task. Validated with the API's own schemas (TaskCreateInput / TaskUpdateInput)
 * before anything is sent; what only the API knows (a client the user may not use) comes back under
 * the same field. After a refusal the form keeps what was typed.
 */
import { Id, TaskCreateInput, type TaskPriority, type TaskStatus, TaskUpdateInput } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { FormError, SelectField, TextAreaField, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { optionsOf, taskPriorityLabels, taskStatusLabels } from '../../ui/labels.ts';
import { formatDay } from '../../ui/time.ts';
import { UserSelect } from '../users/user-select.tsx';
import { ClientPicker, type PickedClient } from './client-picker.tsx';
import { invalidateTaskViews, type Task, useToday } from './task-actions.ts';

// The same schemas, with words for "nothing picked" instead of zod's "Invalid UUID".
const chosenClient = { clientId: z.string().min(1, 'choose a client from the list').pipe(Id) };
const CreateSchema = TaskCreateInput.extend(chosenClient);
const UpdateSchema = TaskUpdateInput.extend(chosenClient);

type Props = {
  /** The task to edit; without it the form creates one. */
  task?: Task;
  /** The client a new task starts on (from a client's Tasks tab). */
  client?: PickedClient;
  onSaved: (task: Task) => void;
  onCancel?: () => void;
};

export function TaskForm({ task, client: presetClient, onSaved, onCancel }: Props) {
  const user = useUser();
  const today = useToday();
  const form = useFormErrors();
  const [client, setClient] = useState<PickedClient | null>(
    task ? { id: task.client.id, name: task.client.name } : (presetClient ?? null),
  );
  const [title, setTitle] = useState(task?.title ?? '');
  const [description, setDescription] = useState(task?.description ?? '');
  const [status, setStatus] = useState<TaskStatus>(task?.status ?? 'pending');
  const [priority, setPriority] = useState<TaskPriority>(task?.priority ?? 'medium');
  const [dueDate, setDueDate] = useState(task?.dueDate ?? '');
  // A new task is the signed-in user's unless they choose someone else.
  const [assigneeId, setAssigneeId] = useState(task ? (task.assigneeId ?? '') : user.id);

  const mutation = {
    onSuccess: async (saved: Task) => {
      await invalidateTaskViews();
      onSaved(saved);
    },
    onError: form.fail,
  };
  const create = useMutation(trpc.tasks.create.mutationOptions(mutation));
  const update = useMutation(trpc.tasks.update.mutationOptions(mutation));
  const isPending = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const values = {
      clientId: client?.id ?? '',
      title,
      description,
      status,
      priority,
      dueDate: dueDate || null,
      assigneeId: assigneeId || null,
    };
    if (task) {
      const input = form.check(UpdateSchema, { id: task.id, ...values });
      if (input) update.mutate(input);
    } else {
      const input = form.check(CreateSchema, values);
      if (input) create.mutate(input);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={task ? 'Edit task' : 'New task'}>
      <FormError message={form.formError} />
      <TextField
        label="Title"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        error={form.errors.title}
        maxLength={255}
      />
      <ClientPicker
        label="Client"
        value={client}
        onChange={setClient}
        error={form.errors.clientId}
        // A user may put tasks only on the clients they own: only those are offered.
        ownerId={isStaff(user) ? undefined : user.id}
        {...(!isStaff(user) && { hint: 'Your clients' })}
      />
      <div className="form-row">
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => setStatus(event.target.value as TaskStatus)}
          options={optionsOf(taskStatusLabels)}
          error={form.errors.status}
        />
        <SelectField
          label="Priority"
          value={priority}
          onChange={(event) => setPriority(event.target.value as TaskPriority)}
          options={optionsOf(taskPriorityLabels)}
          error={form.errors.priority}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Due date"
          type="date"
          value={dueDate}
          onChange={(event) => setDueDate(event.target.value)}
          error={form.errors.dueDate}
          hint={`Your today: ${formatDay(today)} (${user.timezone})`}
        />
        <UserSelect
          label="Assignee"
          value={assigneeId}
          onChange={setAssigneeId}
          emptyLabel="Nobody"
          error={form.errors.assigneeId}
        />
      </div>
      <TextAreaField
        label="Description"
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        error={form.errors.description}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={isPending}>
          {isPending ? 'Saving…' : task ? 'Save changes' : 'Create task'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** "New task" in a dialog that closes once the task is saved (the tasks page, a client's Tasks tab). */
export function NewTaskDialog({ client, onClose }: { client?: PickedClient | null; onClose: () => void }) {
  return (
    <Dialog title="New task" onClose={onClose}>
      <TaskForm {...(client && { client })} onSaved={onClose} onCancel={onClose} />
    </Dialog>
  );
}
