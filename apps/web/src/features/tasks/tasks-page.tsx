/**
 * /tasks: every task the team has, filtered by urgency, status, priority, assignee, client and text.
 * The filters live in the URL (/tasks?urgency=overdue&assignee=<id> is what the dashboard links
 * to), pages load by keyset ("Load more"), and a row's status changes in place.
 */
import { Id, TaskPriority, TaskStatus, TaskUrgency } from '@mini-crm/models';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import { isStaff, useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import { optionsOf, taskPriorityLabels, taskStatusLabels, urgencyLabels } from '../../ui/labels.ts';
import { useUrlFilters, useUrlSearch } from '../../ui/url-state.ts';
import { UserSelect } from '../users/user-select.tsx';
import { ClientPicker } from './client-picker.tsx';
import { NewTaskDialog } from './task-form.tsx';
import { TaskList } from './task-list.tsx';

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
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const search = useUrlSearch(filters.q, (q) => setFilters({ q }));
  const [isAdding, setAdding] = useState(false);

  const clientId = known(Id, filters.client);
  const input = {
    search: filters.q.trim() || null,
    urgency: known(TaskUrgency, filters.urgency),
    status: known(TaskStatus, filters.status),
    priority: known(TaskPriority, filters.priority),
    assigneeId: known(Id, filters.assignee),
    clientId,
    isOpen: filters.open === 'yes' ? true : filters.open === 'no' ? false : null,
    limit: 25,
  };
  // The client filter is an id in the URL; its name comes from the API.
  const filterClient = useQuery({ ...trpc.clients.get.queryOptions({ id: clientId ?? '' }), enabled: !!clientId });
  // A new task starts on the filtered client, if the user may add tasks to it.
  const presetClient =
    filterClient.data && (isStaff(user) || filterClient.data.ownerId === user.id) ? filterClient.data : null;
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
            value={search.text}
            onChange={(event) => search.setText(event.target.value)}
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
              search.setText('');
              setFilters(Object.fromEntries(filterKeys.map((key) => [key, null])));
            }}
          >
            Clear filters
          </button>
        )}
      </search>

      <TaskList
        input={input}
        label="Tasks"
        empty={isFiltered ? 'No task matches these filters.' : 'No tasks yet. Create the first one.'}
      />

      {isAdding && (
        <NewTaskDialog
          client={presetClient && { id: presetClient.id, name: presetClient.name }}
          onClose={() => setAdding(false)}
        />
      )}
    </>
  );
}
