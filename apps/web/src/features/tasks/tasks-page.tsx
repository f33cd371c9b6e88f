/**
 * /tasks: every task the team has, filtered by urgency, status, priority, assignee, client and text.
 * The filters live in the URL (/tasks?urgency=overdue&assignee=<id> is what the dashboard links
 * to), pages load by keyset ("Load more"), and a row's status changes in place.
 */
import { Id, TaskPriority, TaskStatus, TaskUrgency } from '@mini-crm/models';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { optionsOf, taskPriorityLabels, taskStatusLabels, urgencyLabels } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useDebounced, useUrlFilters } from '../../ui/url-state.ts';
import { UserSelect } from '../users/user-select.tsx';
import { ClientPicker } from './client-picker.tsx';
import { useToday } from './task-actions.ts';
import { TaskForm } from './task-form.tsx';
import { TaskTable } from './task-table.tsx';

const filterKeys = ['q', 'urgency', 'status', 'priority', 'assignee', 'client', 'open'] as const;

/** A hand-edited URL with an unknown value filters nothing rather than failing the page. */
const known = <S extends z.ZodType>(schema: S, value: string): z.output<S> | null => {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

const openOptions = [
  { value: '', label: 'Open and closed' },
  { value: 'yes', label: 'Open' },
  { value: 'no', label: 'Completed or cancelled' },
];

export function TasksPage() {
  const user = useUser();
  const today = useToday();
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const [text, setText] = useState(filters.q);
  const search = useDebounced(text.trim());
  const [isAdding, setAdding] = useState(false);

  const clientId = known(Id, filters.client);
  const input = {
    search: search || null,
    urgency: known(TaskUrgency, filters.urgency),
    status: known(TaskStatus, filters.status),
    priority: known(TaskPriority, filters.priority),
    assigneeId: known(Id, filters.assignee),
    clientId,
    isOpen: filters.open === 'yes' ? true : filters.open === 'no' ? false : null,
    limit: 25,
  };
  // The search box writes to the URL once typing settles; only a new settled text may write, or
  // "Clear filters" would be undone by the text that was still settling.
  useEffect(() => {
    if (search !== filters.q) setFilters({ q: search || null });
  }, [search]);

  const tasks = useInfiniteQuery(
    trpc.tasks.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
  );
  // The client filter is an id in the URL; its name comes from the API.
  const filterClient = useQuery({ ...trpc.clients.get.queryOptions({ id: clientId ?? '' }), enabled: !!clientId });
  // A new task starts on the filtered client, if the user may add tasks to it.
  const presetClient =
    filterClient.data && (isStaff(user) || filterClient.data.ownerId === user.id) ? filterClient.data : null;
  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  const total = tasks.data?.pages[0]?.total ?? 0;
  const isFiltered = filterKeys.some((key) => filters[key] !== '');

  return (
    <>
      <div className="page-header">
        <h1>Tasks</h1>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          New task
        </button>
      </div>
      <search className="card filters" aria-label="Filter tasks">
        <div className="toolbar">
          <TextField
            label="Search"
            type="search"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="Title or description"
          />
          <SelectField
            label="Urgency"
            value={filters.urgency}
            onChange={(event) => setFilters({ urgency: event.target.value })}
            options={optionsOf(urgencyLabels, 'Any urgency')}
          />
          <SelectField
            label="Status"
            value={filters.status}
            onChange={(event) => setFilters({ status: event.target.value })}
            options={optionsOf(taskStatusLabels, 'Any status')}
          />
          <SelectField
            label="Open or closed"
            value={filters.open}
            onChange={(event) => setFilters({ open: event.target.value })}
            options={openOptions}
          />
          <SelectField
            label="Priority"
            value={filters.priority}
            onChange={(event) => setFilters({ priority: event.target.value })}
            options={optionsOf(taskPriorityLabels, 'Any priority')}
          />
          <UserSelect
            label="Assignee"
            value={filters.assignee}
            onChange={(assignee) => setFilters({ assignee })}
            emptyLabel="Anyone"
          />
          <ClientPicker
            label="Client"
            value={clientId && filterClient.data ? { id: clientId, name: filterClient.data.name } : null}
            onChange={(client) => setFilters({ client: client?.id ?? null })}
          />
        </div>
        {isFiltered && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setText('');
              setFilters(Object.fromEntries(filterKeys.map((key) => [key, null])));
            }}
          >
            Clear filters
          </button>
        )}
      </search>

      {tasks.isPending ? (
        <Loading label="Loading tasks…" />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{isFiltered ? 'No task matches these filters.' : 'No tasks yet. Create the first one.'}</Empty>
      ) : (
        <>
          <TaskTable tasks={items} today={today} label="Tasks" />
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

      {isAdding && (
        <Dialog title="New task" onClose={() => setAdding(false)}>
          <TaskForm
            {...(presetClient && { client: { id: presetClient.id, name: presetClient.name } })}
            onSaved={() => setAdding(false)}
            onCancel={() => setAdding(false)}
          />
        </Dialog>
      )}
    </>
  );
}
