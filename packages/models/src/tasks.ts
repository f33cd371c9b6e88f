/**
 * Tasks (tasks.*). The API parses with these schemas and the SPA's forms validate with the same
 * objects; `z.input` types are what a form sends, so defaults (status, priority, page size) may be
 * left out. Ids are uuids; due dates are calendar dates (YYYY-MM-DD) without a time or zone.
 */
import { z } from 'zod';
import { CalendarDate, Id, optionalText, PageInput, requiredText, SearchText } from './common.ts';
import { TaskPriority, TaskStatus, TaskUrgency } from './enums.ts';

/**
 * Filters and page of tasks.list; every filter is optional and they combine with AND. Tasks come
 * by due date (earliest first, tasks without one last), ties by id. `urgency` and `isOpen` follow
 * the caller's time zone: "today" is the signed-in user's today.
 */
export const TaskListInput = PageInput.extend({
  clientId: Id.nullish(),
  /** The assigned user's id. */
  assigneeId: Id.nullish(),
  status: TaskStatus.nullish(),
  priority: TaskPriority.nullish(),
  /** Only open tasks (not completed or cancelled) are overdue, due today or due soon. */
  urgency: TaskUrgency.nullish(),
  /** true: pending, in progress or on hold; false: completed or cancelled. */
  isOpen: z.boolean().nullish(),
  /** Due on or after this date (tasks without a due date are left out). */
  dueFrom: CalendarDate.nullish(),
  /** Due on or before this date (tasks without a due date are left out). */
  dueTo: CalendarDate.nullish(),
  /** Part of the title or the description, any letter case; % and _ are plain characters. */
  search: SearchText,
}).refine((input) => !input.dueFrom || !input.dueTo || input.dueFrom <= input.dueTo, {
  path: ['dueTo'],
  message: 'must not be before dueFrom',
});
export type TaskListInput = z.input<typeof TaskListInput>;

export const TaskIdInput = z.object({ id: Id });
export type TaskIdInput = z.input<typeof TaskIdInput>;

/** The editable fields; a blank description is stored as NULL. */
const taskFields = {
  /** The client the task belongs to. */
  clientId: Id,
  title: requiredText(255),
  description: optionalText(10_000),
  status: TaskStatus,
  priority: TaskPriority,
  /** null: no due date. */
  dueDate: CalendarDate.nullable(),
  /** The assigned user's id (an active user); null: nobody. */
  assigneeId: Id.nullable(),
};

/** Left out: pending, medium priority, no due date, nobody assigned. */
export const TaskCreateInput = z.object({
  ...taskFields,
  status: taskFields.status.default('pending'),
  priority: taskFields.priority.default('medium'),
  dueDate: taskFields.dueDate.default(null),
  assigneeId: taskFields.assigneeId.default(null),
});
export type TaskCreateInput = z.input<typeof TaskCreateInput>;

/** Only the fields present change; null clears description, dueDate and assigneeId. */
export const TaskUpdateInput = z.object({
  id: Id,
  clientId: taskFields.clientId.optional(),
  title: taskFields.title.optional(),
  description: taskFields.description.optional(),
  status: taskFields.status.optional(),
  priority: taskFields.priority.optional(),
  dueDate: taskFields.dueDate.optional(),
  assigneeId: taskFields.assigneeId.optional(),
});
export type TaskUpdateInput = z.input<typeof TaskUpdateInput>;

export const TaskSetStatusInput = z.object({ id: Id, status: TaskStatus });
export type TaskSetStatusInput = z.input<typeof TaskSetStatusInput>;
