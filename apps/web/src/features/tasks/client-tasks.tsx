/**
 * A client's tasks, for the Tasks tab of the client detail page: its open (or all) tasks by due
 * date with inline status, "Load more", and "New task" with the client preset. Offered only to
 * those who may add tasks to the client (its owner, managers, admins).
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField } from '../../ui/field.tsx';
import { LoadMore } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useToday } from './task-actions.ts';
import { TaskForm } from './task-form.tsx';
import { TaskTable } from './task-table.tsx';

const shownOptions = [
  { value: 'open', label: 'Open tasks' },
  { value: 'closed', label: 'Completed or cancelled' },
  { value: 'all', label: 'All tasks' },
];

export function ClientTasks({ clientId }: { clientId: string }) {
  const user = useUser();
  const today = useToday();
  const [shown, setShown] = useState('open');
  const [isAdding, setAdding] = useState(false);
  // The client page reads the same query: this is its cache, not a second request.
  const client = useQuery(trpc.clients.get.queryOptions({ id: clientId }));
  const tasks = useInfiniteQuery(
    trpc.tasks.list.infiniteQueryOptions(
      { clientId, isOpen: shown === 'all' ? null : shown === 'open', limit: 25 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  const total = tasks.data?.pages[0]?.total ?? 0;
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
      {tasks.isPending ? (
        <Loading label="Loading tasks…" />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{shown === 'open' ? 'No open tasks for this client.' : 'No tasks here.'}</Empty>
      ) : (
        <>
          <TaskTable tasks={items} today={today} label={`Tasks of ${client.data?.name ?? 'this client'}`} hideClient />
          <LoadMore
            shown={items.length}
            total={total}
            hasMore={tasks.hasNextPage}
            isLoading={tasks.isFetchingNextPage}
            onLoadMore={() => tasks.fetchNextPage()}
            noun="tasks"
          />
        </>
      )}
      {isAdding && client.data && (
        <Dialog title="New task" onClose={() => setAdding(false)}>
          <TaskForm
            client={{ id: client.data.id, name: client.data.name }}
            onSaved={() => setAdding(false)}
            onCancel={() => setAdding(false)}
          />
        </Dialog>
      )}
    </section>
  );
}
