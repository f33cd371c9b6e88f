/**
 * SQL of tasks.*. Reads come from task_overview, whose urgency follows the transaction's TimeZone
 * (the caller's), and carry uuids only; the internal ids read here (for writes) stay in the router.
 * Open-task filters repeat `status NOT IN ('completed', 'cancelled')` literally so the partial
 * indexes idx_tasks_open_* can serve them.
 */
import { TaskPriority, TaskStatus, TaskUrgency } from '@mini-crm/models';
import { type CommonQueryMethods, type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { prepared } from '../db.ts';
import { type Total, toTotal } from '../pagination.ts';
import { DateOnly, Timestamp, TotalRow } from '../rows.ts';
import { allOf, cappedCount, limitOf, searchPattern } from '../sql-fragments.ts';

export const TaskRow = z.object({
  uuid: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  status: TaskStatus,
  priority: TaskPriority,
  due_date: DateOnly.nullable(),
  is_open: z.boolean(),
  urgency_status: TaskUrgency,
  client_uuid: z.uuid(),
  client_name: z.string(),
  client_company: z.string().nullable(),
  assigned_user_uuid: z.uuid().nullable(),
  assigned_user_name: z.string().nullable(),
  assigned_user_email: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TaskRow = z.output<typeof TaskRow>;

/** For queries on task_overview t. */
export const taskColumns = sql.fragment`
  t.uuid, t.title, t.description, t.status, t.priority, t.due_date::text AS due_date, t.is_open, t.urgency_status,
  t.client_uuid, t.client_name, t.client_company,
  t.assigned_user_uuid, t.assigned_user_name, t.assigned_user_email, t.created_at, t.updated_at
`;

/** The open tasks of task_overview t, written as the partial indexes' predicate. */
export const isOpenTask = sql.fragment`t.status NOT IN ('completed', 'cancelled')`;

// ---------------------------------------------------------------------------------------------
// tasks.list: keyset pages by due date (NULLs last), ties by uuid
// ---------------------------------------------------------------------------------------------

/** [the last row's due date or null, its uuid]; the uuid keeps the internal id out of the cursor. */
export const TaskCursor = z.tuple([DateOnly.nullable(), z.uuid()]);
export type TaskCursor = z.output<typeof TaskCursor>;

export type TaskFilters = {
  clientId: string | null;
  assigneeId: string | null;
  status: TaskStatus | null;
  priority: TaskPriority | null;
  urgency: TaskUrgency | null;
  isOpen: boolean | null;
  dueFrom: string | null;
  dueTo: string | null;
  search: string | null;
};

/**
 * task_overview's urgency_status as ranges on due_date, so an index can serve them; the same CASE
 * in the view decides each row's urgency, and the tests hold the two to agreeing.
 */
export const urgencyConditions: Record<TaskUrgency, FragmentSqlToken> = {
  overdue: sql.fragment`${isOpenTask} AND t.due_date < CURRENT_DATE`,
  due_today: sql.fragment`${isOpenTask} AND t.due_date = CURRENT_DATE`,
  due_soon: sql.fragment`${isOpenTask} AND t.due_date > CURRENT_DATE AND t.due_date <= CURRENT_DATE + 7`,
  normal: sql.fragment`(NOT (${isOpenTask}) OR t.due_date IS NULL OR t.due_date > CURRENT_DATE + 7)`,
};

function filterConditions(filters: TaskFilters) {
  const conditions = [sql.fragment`TRUE`];
  if (filters.clientId !== null) {
    conditions.push(sql.fragment`t.client_id = (SELECT id FROM clients WHERE uuid = ${filters.clientId}::uuid)`);
  }
  if (filters.assigneeId !== null) {
    conditions.push(sql.fragment`t.assigned_user_id = (SELECT id FROM users WHERE uuid = ${filters.assigneeId}::uuid)`);
  }
  if (filters.status !== null) conditions.push(sql.fragment`t.status = ${filters.status}`);
  if (filters.priority !== null) conditions.push(sql.fragment`t.priority = ${filters.priority}`);
  if (filters.urgency !== null) conditions.push(urgencyConditions[filters.urgency]);
  if (filters.isOpen === true) conditions.push(isOpenTask);
  if (filters.isOpen === false) conditions.push(sql.fragment`t.status IN ('completed', 'cancelled')`);
  if (filters.dueFrom !== null) conditions.push(sql.fragment`t.due_date >= ${filters.dueFrom}::date`);
  if (filters.dueTo !== null) conditions.push(sql.fragment`t.due_date <= ${filters.dueTo}::date`);
  if (filters.search !== null) {
    // idx_tasks_search (trigrams) serves each ILIKE; for one or two characters the pattern is a prefix.
    const pattern = searchPattern(filters.search);
    conditions.push(sql.fragment`(t.title ILIKE ${pattern} OR t.description ILIKE ${pattern})`);
  }
  return conditions;
}

/** The list's order: the (…, due_date, uuid) indexes' own, which keep NULLs last. */
const listOrder = sql.fragment`t.due_date ASC NULLS LAST, t.uuid ASC`;

/**
 * One page (limit + 1 rows, for toPage) after the cursor's row, in (due_date ASC NULLS LAST, uuid)
 * order: the order of the (…, due_date, uuid) indexes, which keep NULLs last. After a dated cursor
 * the rest is two ranges of those indexes, the later dates and then the undated tasks, each read
 * from where it starts; one condition (`> cursor OR IS NULL`) could not start an index scan.
 */
export function listTasks(db: CommonQueryMethods, filters: TaskFilters, after: TaskCursor | null, limit: number) {
  const conditions = filterConditions(filters);
  const page = (extra: FragmentSqlToken) => sql.fragment`
    SELECT ${taskColumns} FROM task_overview t WHERE ${allOf([...conditions, extra])}
    ORDER BY ${listOrder}
    ${limitOf(limit + 1)}
  `;
  if (after === null || after[0] === null) {
    const [, afterUuid] = after ?? [null, null];
    return db.any(
      prepared(
        sql.type(TaskRow)`
          /* tasks.list */
          ${page(afterUuid === null ? sql.fragment`TRUE` : sql.fragment`t.due_date IS NULL AND t.uuid > ${afterUuid}::uuid`)}
        `,
        hasValueFreePlan(filters) && after === null,
      ),
    );
  }
  const [dueDate, uuid] = after;
  // After a cursor: planned for it, never prepared (db.ts `prepared`).
  return db.any(sql.type(TaskRow)`
    /* tasks.list */
    SELECT * FROM (
      (${page(sql.fragment`(t.due_date, t.uuid) > (${dueDate}::date, ${uuid}::uuid)`)})
      UNION ALL
      (${page(sql.fragment`t.due_date IS NULL`)})
    ) AS rest
    ORDER BY rest.due_date ASC NULLS LAST, rest.uuid ASC
    ${limitOf(limit + 1)}
  `);
}

/**
 * A list's first page and its count are prepared (db.ts) unless a text search or a due-date range
 * filters them: how many tasks match the words decides the plan, and PostgreSQL keeps planning a
 * range of bound dates for its values. Every other filter is a key or an enum of an index.
 */
const hasValueFreePlan = (filters: TaskFilters) =>
  filters.search === null && filters.dueFrom === null && filters.dueTo === null;

/**
 * The list's size, up to totalCap. Every task has its client, so the count needs no join. It walks
 * the list's index in order, except for a search: the trigram index finds matches unordered, and
 * counting a common word in due-date order would read the whole list to find a thousand.
 */
export const countTasks = async (db: CommonQueryMethods, filters: TaskFilters): Promise<Total> =>
  toTotal(
    await db.oneFirst(
      prepared(
        sql.type(TotalRow)`
          /* tasks.count */ ${cappedCount(sql.fragment`tasks t`, allOf(filterConditions(filters)), filters.search === null ? listOrder : null)}
        `,
        hasValueFreePlan(filters),
      ),
    ),
  );

export const findTask = (db: CommonQueryMethods, uuid: string) =>
  db.maybeOne(
    prepared(sql.type(TaskRow)`
      /* tasks.get */ SELECT ${taskColumns} FROM task_overview t WHERE t.uuid = ${uuid}::uuid
    `),
  );

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

export type TaskValues = {
  clientId: number;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string | null;
  assignedUserId: number | null;
};

const UuidRow = z.object({ uuid: z.uuid() });

export const insertTask = (db: CommonQueryMethods, task: TaskValues) =>
  db.oneFirst(
    prepared(sql.type(UuidRow)`
      /* tasks.create */
      INSERT INTO tasks (client_id, title, description, status, priority, due_date, assigned_user_id)
      VALUES (
        ${task.clientId}, ${task.title}, ${task.description}, ${task.status}, ${task.priority},
        ${task.dueDate}::date, ${task.assignedUserId}
      )
      RETURNING uuid
    `),
  );

export type TaskChanges = { [K in keyof TaskValues]?: TaskValues[K] | undefined };

const columnOf: Record<keyof TaskValues, FragmentSqlToken> = {
  clientId: sql.fragment`client_id`,
  title: sql.fragment`title`,
  description: sql.fragment`description`,
  status: sql.fragment`status`,
  priority: sql.fragment`priority`,
  dueDate: sql.fragment`due_date`,
  assignedUserId: sql.fragment`assigned_user_id`,
};

/** Sets only the given columns; with none, nothing is written (updated_at stays). */
export async function updateTask(db: CommonQueryMethods, taskId: number, changes: TaskChanges) {
  const sets = [];
  for (const field of Object.keys(columnOf) as (keyof TaskValues)[]) {
    const value = changes[field];
    if (value === undefined) continue;
    const bound = field === 'dueDate' ? sql.fragment`${value}::date` : sql.fragment`${value}`;
    sets.push(sql.fragment`${columnOf[field]} = ${bound}`);
  }
  if (sets.length === 0) return;
  await db.query(sql.unsafe`
    /* tasks.update */
    UPDATE tasks SET ${sql.join(sets, sql.fragment`, `)} WHERE id = ${taskId}
  `);
}

/** The deleted task's uuid, or null when it was already gone. */
export const deleteTask = (db: CommonQueryMethods, taskId: number) =>
  db.maybeOneFirst(sql.type(UuidRow)`/* tasks.delete */ DELETE FROM tasks WHERE id = ${taskId} RETURNING uuid`);
