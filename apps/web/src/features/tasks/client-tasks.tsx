/**
 * A client's tasks, for the Tasks tab of the client detail page: its open (or all) tasks by due
 * date with inline status, "Load more", and "New task" with the client preset. Offered only to
 * those who may add tasks to the client (its owner, managers, admins).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { SelectField } from '../../ui/field.tsx';
import { NewTaskDialog } from './task-form.tsx';
import { TaskList } from './task-list.tsx';

const shownOptions = [
  { value: 'open', label: 'Open tasks' },
  { value: 'closed', label: 'Completed or cancelled' },
  { value: 'all', label: 'All tasks' },
];

export function ClientTasks({ clientId }: { clientId: string }) {
  const user = useUser();
  const [shown, setShown] = useState('open');
  const [isAdding, setAdding] = useState(false);
  // The client page reads the same query: this is its cache, not a second request.
  const client = useQuery(trpc.clients.get.queryOptions({ id: clientId }));
  const mayAdd = isStaff(user) || client.data?.ownerId === user.id;

  return (
    <section aria-labelledby="client-tasks-title" className="client-tasks">
      <div className="page-header">
        <h2 id="client-tasks-title">Tasks</h2>
        {mayAdd && client.data && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            New task
          </button>
        )}
      </div>
      <div className="toolbar">
        <SelectField
          label="Show"
          value={shown}
          onChange={(event) => setShown(event.target.value)}
          options={shownOptions}
        />
      </div>
      <TaskList
        input={{ clientId, isOpen: shown === 'all' ? null : shown === 'open', limit: 25 }}
        label={`Tasks of ${client.data?.name ?? 'this client'}`}
        empty={shown === 'open' ? 'No open tasks for this client.' : 'No tasks here.'}
        hideClient
      />
      {isAdding && client.data && (
        <NewTaskDialog client={{ id: client.data.id, name: client.data.name }} onClose={() => setAdding(false)} />
      )}
    </section>
  );
}
