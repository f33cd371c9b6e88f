/**
 * What `pnpm bench` measures: six requests of the list, each as a tRPC call (method, path,
 * input) made by one signed-in `user` (user@example.com, the demo account every scale set has), with
 * the rows of the dataset it names (that user, the client of theirs with the most tasks).
 */
import { demoAccounts } from '@mini-crm/database';
import pg from 'pg';

/** The sample data's `user` account: the role most callers have, and the dashboard's heavier path. */
export const benchAccount = demoAccounts[2];

/** Real rows of the dataset the requests ask about. */
export type Fixtures = {
  userUuid: string;
  /** The user's IANA zone: the API's "today" (overdue), which (a) and (b) set on their connections. */
  timeZone: string;
  /** The client of the user with the most tasks: clients.get reads it, tasks.create adds to it. */
  clientUuid: string;
  /** The title of the tasks this run creates, unique to the run, so that they can be deleted after. */
  taskTitle: string;
};

export type BenchCase = {
  label: string;
  procedure: string;
  method: 'GET' | 'POST';
  input: (fixtures: Fixtures) => unknown;
};

const pageSize = 50;

export const benchCases: BenchCase[] = [
  {
    label: 'clients.list tag smb',
    procedure: 'clients.list',
    method: 'GET',
    input: () => ({ tags: ['smb'], limit: pageSize }),
  },
  {
    label: 'clients.list search "hopper"',
    procedure: 'clients.list',
    method: 'GET',
    input: () => ({ search: 'hopper', limit: pageSize }),
  },
  {
    label: 'tasks.list overdue, one assignee',
    procedure: 'tasks.list',
    method: 'GET',
    input: (f) => ({ urgency: 'overdue', assigneeId: f.userUuid, limit: pageSize }),
  },
  { label: 'clients.get', procedure: 'clients.get', method: 'GET', input: (f) => ({ id: f.clientUuid }) },
  { label: 'dashboard.summary', procedure: 'dashboard.summary', method: 'GET', input: () => undefined },
  {
    label: 'tasks.create',
    procedure: 'tasks.create',
    method: 'POST',
    input: (f) => ({ clientId: f.clientUuid, title: f.taskTitle, priority: 'medium' }),
  },
];

/** The HTTP request of a case: a GET carries its input in the query string, a POST in the body. */
export function requestOf(benchCase: BenchCase, fixtures: Fixtures): { path: string; body?: string } {
  const input = benchCase.input(fixtures);
  const path = `/trpc/${benchCase.procedure}`;
  if (benchCase.method === 'POST') return { path, body: JSON.stringify(input) };
  return { path: input === undefined ? path : `${path}?input=${encodeURIComponent(JSON.stringify(input))}` };
}

export async function loadFixtures(ownerUrl: string, runId: string): Promise<Fixtures> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const user = (
      await db.query<{ id: number; uuid: string; timezone: string }>(
        'SELECT id, uuid, timezone FROM users WHERE email = $1 AND is_active',
        [benchAccount],
      )
    ).rows[0];
    if (!user) throw new Error(`the dataset has no active ${benchAccount}: is it a scale set (pnpm db:scale)?`);
    const client = (
      await db.query<{ uuid: string }>(
        `SELECT c.uuid FROM clients c WHERE c.owner_user_id = $1
         ORDER BY (SELECT count(*) FROM tasks t WHERE t.client_id = c.id) DESC, c.id LIMIT 1`,
        [user.id],
      )
    ).rows[0];
    if (!client) throw new Error(`${benchAccount} owns no client in this dataset`);
    return { userUuid: user.uuid, timeZone: user.timezone, clientUuid: client.uuid, taskTitle: `bench ${runId}` };
  } finally {
    await db.end();
  }
}

/** Removes the tasks this run created (by the API, the bare server and pgbench), so reruns measure the same set. */
export async function deleteBenchTasks(ownerUrl: string, fixtures: Fixtures): Promise<number> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const { rowCount } = await db.query(
      'DELETE FROM tasks WHERE client_id = (SELECT id FROM clients WHERE uuid = $1) AND title = $2',
      [fixtures.clientUuid, fixtures.taskTitle],
    );
    return rowCount ?? 0;
  } finally {
    await db.end();
  }
}
