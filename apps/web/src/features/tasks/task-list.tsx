/**
 * The tasks one tasks.list input matches, as a table a page at a time ("Load more"), with the
 * loading, error and empty states: the tasks page and a client's Tasks tab.
 */
import type { TaskListInput } from '@mini-crm/models';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { trpc } from '../../app/trpc.ts';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useToday } from './task-actions.ts';
import { TaskTable } from './task-table.tsx';

type Props = {
  /** The filters (the infinite query adds the cursor). */
  input: Omit<TaskListInput, 'cursor'>;
  /** The table's name. */
  label: string;
  /** What to say when nothing matches. */
  empty: ReactNode;
  /** Leave out the client column (a client's own Tasks tab). */
  hideClient?: boolean;
};

export function TaskList({ input, label, empty, hideClient = false }: Props) {
  const today = useToday();
  const tasks = useInfiniteQuery(
    trpc.tasks.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
  );
  const items = loadedItems(tasks);
  if (tasks.isPending) return <Loading label="Loading tasks…" />;
  if (tasks.isError) return <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />;
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <TaskTable tasks={items} today={today} label={label} hideClient={hideClient} />
      <LoadMore list={tasks} noun="tasks" />
    </>
  );
}
