/**
 * Another app using the typed API: signs in and prints the caller's overdue tasks.
 *
 *   CRM_URL=http://127.0.0.1:3000 CRM_EMAIL=admin@example.com CRM_PASSWORD=demo-password \
 *     pnpm --filter @mini-crm/api example:overdue
 *
 * Inputs and outputs are checked at compile time against the API's router (RouterOutputs).
 */
import type { RouterOutputs } from '@mini-crm/api';
import { createCrmClient } from '@mini-crm/api/client';

type Task = RouterOutputs['tasks']['list']['items'][number];

const url = process.env.CRM_URL ?? 'http://127.0.0.1:3000';
const email = process.env.CRM_EMAIL ?? 'admin@example.com';
const password = process.env.CRM_PASSWORD ?? 'demo-password';

const crm = createCrmClient(url, { headers: { 'user-agent': 'mini-crm-example/1.0' } });
const me = await crm.auth.login.mutate({ email, password });

const overdue: Task[] = [];
let cursor: string | null = null;
do {
  const page: RouterOutputs['tasks']['list'] = await crm.tasks.list.query({ urgency: 'overdue', cursor, limit: 100 });
  overdue.push(...page.items);
  cursor = page.nextCursor;
} while (cursor);

console.log(`${me.name} (${me.role}): ${overdue.length} overdue task(s)`);
for (const task of overdue) {
  console.log(`  ${task.dueDate}  ${task.priority.padEnd(6)}  ${task.client.name}: ${task.title}`);
}
await crm.auth.logout.mutate();
