/**
 * Tasks as a table (the tasks page, a client's Tasks tab) and the pieces other task views reuse:
 * the due date with its relative label, priority and status badges, and the inline status select
 * that saves on change. Rows the user may not change show the status as text.
 */
import type { TaskPriority, TaskStatus } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'wouter';
import { trpc } from '../../app/trpc.ts';
import { Badge, type Tone } from '../../ui/badge.tsx';
import { messageOf } from '../../ui/errors.ts';
import { optionsOf, taskPriorityLabels, taskStatusLabels } from '../../ui/labels.ts';
import { daysBetween, formatDay, relativeDue } from '../../ui/time.ts';
import { invalidateTaskViews, type Task, useTaskAccess } from './task-actions.ts';

const priorityTones: Record<TaskPriority, Tone> = { low: 'neutral', medium: 'neutral', high: 'warn', urgent: 'danger' };
const statusTones: Record<TaskStatus, Tone> = {
  pending: 'neutral',
  in_progress: 'warn',
  on_hold: 'neutral',
  completed: 'ok',
  cancelled: 'neutral',
};

export const PriorityBadge = ({ priority }: { priority: TaskPriority }) => (
  <Badge tone={priorityTones[priority]}>{taskPriorityLabels[priority]}</Badge>
);

export const StatusBadge = ({ status }: { status: TaskStatus }) => (
  <Badge tone={statusTones[status]}>{taskStatusLabels[status]}</Badge>
);

/** "Wed 25 Nov 2026" and, while the task is open, "3 days overdue" / "due today" / "in 2 days". */
export function DueDate({ task, today }: { task: Pick<Task, 'dueDate' | 'isOpen'>; today: string }) {
  if (!task.dueDate) return <span className="muted">No due date</span>;
  const days = daysBetween(today, task.dueDate);
  const tone: Tone = days < 0 ? 'danger' : days === 0 ? 'warn' : 'neutral';
  return (
    <span className="due">
      <time dateTime={task.dueDate}>{formatDay(task.dueDate)}</time>
      {task.isOpen && <Badge tone={tone}>{relativeDue(task.dueDate, today)}</Badge>}
    </span>
  );
}

/** The status as a select that saves on change; the API's refusal shows under it in words. */
export function StatusSelect({ task }: { task: Task }) {
  const setStatus = useMutation(trpc.tasks.setStatus.mutationOptions({ onSuccess: () => invalidateTaskViews() }));
  const shown = setStatus.isPending ? setStatus.variables.status : task.status;
  return (
    <div className="inline-status">
      <select
        className="status-select"
        aria-label={`Status of ${task.title}`}
        value={shown}
        disabled={setStatus.isPending}
        onChange={(event) => setStatus.mutate({ id: task.id, status: event.target.value as TaskStatus })}
      >
        {optionsOf(taskStatusLabels).map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {setStatus.isError && (
        <small className="field-error" role="alert">
          {messageOf(setStatus.error)}
        </small>
      )}
    </div>
  );
}

type Props = {
  tasks: readonly Task[];
  /** The user's today (YYYY-MM-DD) in their zone. */
  today: string;
  label: string;
  /** Leave out the client column (a client's own Tasks tab). */
  hideClient?: boolean;
};

export function TaskTable({ tasks, today, label, hideClient = false }: Props) {
  const accessOf = useTaskAccess(tasks);
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Task</th>
            {!hideClient && <th scope="col">Client</th>}
            <th scope="col">Due</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id}>
              <td>
                <Link href={`/tasks/${task.id}`}>{task.title}</Link>
              </td>
              {!hideClient && (
                <td>
                  <Link href={`/clients/${task.client.id}`}>{task.client.name}</Link>
                </td>
              )}
              <td>
                <DueDate task={task} today={today} />
              </td>
              <td>{accessOf(task).canEdit ? <StatusSelect task={task} /> : <StatusBadge status={task.status} />}</td>
              <td>
                <PriorityBadge priority={task.priority} />
              </td>
              <td>{task.assignee?.name ?? <span className="muted">Nobody</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
