/** Words for the schema's codes, in one place: "in_progress" → "In progress". */
import type { AuditAction, ClientStatus, TaskPriority, TaskStatus, TaskUrgency, UserRole } from '@mini-crm/models';

export const clientStatusLabels: Record<ClientStatus, string> = {
  active: 'Active',
  inactive: 'Inactive',
  prospect: 'Prospect',
  archived: 'Archived',
};

export const taskStatusLabels: Record<TaskStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  on_hold: 'On hold',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const taskPriorityLabels: Record<TaskPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export const urgencyLabels: Record<TaskUrgency, string> = {
  overdue: 'Overdue',
  due_today: 'Due today',
  due_soon: 'Due soon',
  normal: 'Later',
};

export const roleLabels: Record<UserRole, string> = { admin: 'Admin', manager: 'Manager', user: 'User' };

export const auditActionLabels: Record<AuditAction, string> = {
  view: 'Viewed',
  decrypt: 'Revealed',
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
};

/** Options for a <select> from a label map, optionally led by an "all" choice. */
export const optionsOf = <K extends string>(labels: Record<K, string>, all?: string) => [
  ...(all === undefined ? [] : [{ value: '', label: all }]),
  ...(Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label })),
];
