import { AuditAction, ClientStatus, TaskPriority, TaskStatus, UserRole } from '@mini-crm/models';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/testing.ts';

const db = useTestDatabase();

// The shared zod enums must accept exactly the values the CHECK constraints accept, or a form
// would offer a status PostgreSQL refuses (or hide one it allows).
const enumColumns = [
  { constraint: 'users_role_valid', values: UserRole.options },
  { constraint: 'clients_status_valid', values: ClientStatus.options },
  { constraint: 'tasks_status_valid', values: TaskStatus.options },
  { constraint: 'tasks_priority_valid', values: TaskPriority.options },
  { constraint: 'credential_audit_logs_action_valid', values: AuditAction.options },
];

describe('@mini-crm/models enums', () => {
  it.each(enumColumns)('$constraint allows exactly the model values', async ({ constraint, values }) => {
    const { rows } = await db.pool.query<{ definition: string }>(
      'SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = $1',
      [constraint],
    );
    const allowed = [...(rows[0]?.definition ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]);
    expect(allowed.sort()).toEqual([...values].sort());
  });
});
