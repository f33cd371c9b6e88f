/**
 * One of the dashboard's three task lists (overdue, due today, due soon): at most 20 of the
 * signed-in user's open tasks, each with its client and relative due label, and a link to the
 * whole list on the tasks page (/tasks?urgency=…&assignee=<me>).
 */
import type { TaskUrgency } from '@mini-crm/models';
import { useId } from 'react';
import { Link } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { Empty } from '../../ui/states.tsx';
import type { Task } from '../tasks/task-actions.ts';
import { DueDate, PriorityBadge } from '../tasks/task-table.tsx';

type Props = {
  title: string;
  urgency: Exclude<TaskUrgency, 'normal'>;
  list: { items: readonly Task[]; total: number };
  /** The user's today, from dashboard.summary. */
  today: string;
};

const nothing: Record<Props['urgency'], string> = {
  overdue: 'Nothing overdue.',
  due_today: 'Nothing due today.',
  due_soon: 'Nothing due in the next 7 days.',
};

const allLink: Record<Props['urgency'], string> = {
  overdue: 'All my overdue tasks',
  due_today: 'All my tasks due today',
  due_soon: 'All my tasks due soon',
};

export function MyTaskList({ title, urgency, list, today }: Props) {
  const user = useUser();
  const titleId = useId();
  const href = `/tasks?${new URLSearchParams({ urgency, assignee: user.id })}`;
  return (
    <section className="card task-list" aria-labelledby={titleId} data-urgency={urgency}>
      <h3 id={titleId}>{title}</h3>
      <p className="muted count">
        {list.total} {list.total === 1 ? 'task' : 'tasks'}
      </p>
      {list.items.length === 0 ? (
        <Empty>{nothing[urgency]}</Empty>
      ) : (
        <ul className="task-items">
          {list.items.map((task) => (
            <li key={task.id}>
              <Link href={`/tasks/${task.id}`}>{task.title}</Link>
              <span className="muted"> · {task.client.name}</span>
              <div className="meta">
                <DueDate task={task} today={today} />
                {(task.priority === 'high' || task.priority === 'urgent') && <PriorityBadge priority={task.priority} />}
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.total > 0 && (
        <Link href={href}>
          {allLink[urgency]} ({list.total})
        </Link>
      )}
    </section>
  );
}
