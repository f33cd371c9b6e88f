/**
 * The enum-like columns of the schema. Each list equals the CHECK constraint of its column
 * (database/test/models.test.ts compares them), so the API and the forms accept exactly what
 * PostgreSQL accepts.
 */
import { z } from 'zod';

export const UserRole = z.enum(['admin', 'manager', 'user']);
export type UserRole = z.infer<typeof UserRole>;

export const ClientStatus = z.enum(['active', 'inactive', 'prospect', 'archived']);
export type ClientStatus = z.infer<typeof ClientStatus>;

export const TaskStatus = z.enum(['pending', 'in_progress', 'completed', 'cancelled', 'on_hold']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TaskPriority = z.enum(['low', 'medium', 'high', 'urgent']);
export type TaskPriority = z.infer<typeof TaskPriority>;

/** task_overview.urgency_status; only open tasks (not completed or cancelled) are ever urgent. */
export const TaskUrgency = z.enum(['overdue', 'due_today', 'due_soon', 'normal']);
export type TaskUrgency = z.infer<typeof TaskUrgency>;

export const AuditAction = z.enum(['view', 'create', 'update', 'delete', 'decrypt']);
export type AuditAction = z.infer<typeof AuditAction>;
