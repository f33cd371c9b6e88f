/**
 * The role matrix: every procedure × {anonymous, user, manager, admin, deactivated}, generated from
 * the one table below. A cell passes when an allowed caller's call succeeds and a refused caller
 * gets FORBIDDEN (signed in, wrong role or not their record) or UNAUTHORIZED (no valid session).
 * "own" records belong to clients the `user` account owns; "foreign" ones to another user's client.
 * A query writes nothing unless its meta says it does (`writes`: it then runs in a transaction,
 * trpc.ts): every other query's call, allowed or not, leaves every table's row count as it was.
 */
import type { UserRole } from '@mini-crm/models';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmClient } from '../src/client.ts';
import { appRouter } from '../src/router.ts';
import type { ProcedureMeta } from '../src/trpc.ts';
import { testPassword, useTestApi } from './api.ts';
import { fixtures as fixturesFor, rowCounts } from './fixtures.ts';

const api = useTestApi();

type Caller = 'anonymous' | 'user' | 'manager' | 'admin' | 'deactivated';
const callers: Caller[] = ['anonymous', 'user', 'manager', 'admin', 'deactivated'];

type Fixtures = {
  ownClient: string;
  foreignClient: string;
  ownTask: string;
  foreignTask: string;
  assignedForeignTask: string;
  ownCredential: string;
  foreignCredential: string;
  /** Fresh records for calls that use theirs up (delete, deactivate). */
  fresh: {
    client: (owner: 'user' | 'otherUser') => Promise<string>;
    task: (owner: 'user' | 'otherUser') => Promise<string>;
    credential: (owner: 'user' | 'otherUser') => Promise<string>;
    user: () => Promise<string>;
  };
};

type Row = {
  procedure: string;
  /** Who may: the signed-in roles, or 'public' (anyone, even without a session). */
  allowed: UserRole[] | 'public';
  call: (client: CrmClient, f: Fixtures, caller: Caller) => Promise<unknown>;
  /** Needs a session of its own (it ends or replaces it). */
  isFresh?: boolean;
};

const everyone: UserRole[] = ['admin', 'manager', 'user'];
const staff: UserRole[] = ['admin', 'manager'];
const admins: UserRole[] = ['admin'];

const table: Row[] = [
  // auth
  {
    procedure: 'auth.login',
    allowed: 'public',
    // Each caller signs in as themselves (anonymous as `user`); an inactive account is refused.
    call: (c, _f, caller) =>
      c.auth.login.mutate({
        email: api.accounts[caller === 'anonymous' ? 'user' : caller].email,
        password: testPassword,
      }),
  },
  { procedure: 'auth.logout', allowed: 'public', call: (c) => c.auth.logout.mutate(), isFresh: true },
  { procedure: 'auth.me', allowed: 'public', call: (c) => c.auth.me.query() },
  { procedure: 'auth.demoAccounts', allowed: 'public', call: (c) => c.auth.demoAccounts.query() },
  {
    procedure: 'auth.changePassword',
    allowed: everyone,
    isFresh: true,
    call: async (c) => {
      await c.auth.changePassword.mutate({ current: testPassword, next: 'temporary password 1' });
      await c.auth.changePassword.mutate({ current: 'temporary password 1', next: testPassword });
    },
  },
  {
    procedure: 'auth.updateProfile',
    allowed: everyone,
    call: (c) => c.auth.updateProfile.mutate({ name: 'Renamed', timezone: 'Europe/Paris' }),
  },
  // users
  { procedure: 'users.list', allowed: everyone, call: (c) => c.users.list.query({}) },
  { procedure: 'users.get', allowed: everyone, call: (c) => c.users.get.query({ id: api.accounts.user.id }) },
  {
    procedure: 'users.create',
    allowed: admins,
    call: (c) =>
      c.users.create.mutate({
        email: `new-${crypto.randomUUID().slice(0, 8)}@test.example.com`,
        name: 'New Person',
        password: 'a good long password',
      }),
  },
  {
    procedure: 'users.update',
    allowed: admins,
    call: async (c, f) => c.users.update.mutate({ id: await f.fresh.user(), name: 'Changed Name' }),
  },
  {
    procedure: 'users.deactivate',
    allowed: admins,
    call: async (c, f) => c.users.deactivate.mutate({ id: await f.fresh.user() }),
  },
  {
    procedure: 'users.reactivate',
    allowed: admins,
    call: async (c, f) => c.users.reactivate.mutate({ id: await f.fresh.user() }),
  },
  {
    procedure: 'users.resetPassword',
    allowed: admins,
    call: async (c, f) => c.users.resetPassword.mutate({ id: await f.fresh.user(), password: 'another long password' }),
  },
  // clients
  { procedure: 'clients.list', allowed: everyone, call: (c) => c.clients.list.query({}) },
  { procedure: 'clients.get', allowed: everyone, call: (c, f) => c.clients.get.query({ id: f.foreignClient }) },
  { procedure: 'clients.byTag', allowed: everyone, call: (c) => c.clients.byTag.query({ tag: 'vip' }) },
  { procedure: 'clients.tags', allowed: everyone, call: (c) => c.clients.tags.query() },
  { procedure: 'clients.create', allowed: everyone, call: (c) => c.clients.create.mutate({ name: 'Matrix Co' }) },
  {
    procedure: 'clients.update (own)',
    allowed: everyone,
    call: (c, f) => c.clients.update.mutate({ id: f.ownClient, notes: 'seen' }),
  },
  {
    procedure: 'clients.update (foreign)',
    allowed: staff,
    call: (c, f) => c.clients.update.mutate({ id: f.foreignClient, notes: 'seen' }),
  },
  {
    procedure: 'clients.delete (own)',
    allowed: staff,
    call: async (c, f) => c.clients.delete.mutate({ id: await f.fresh.client('user') }),
  },
  // tasks
  { procedure: 'tasks.list', allowed: everyone, call: (c) => c.tasks.list.query({}) },
  { procedure: 'tasks.get', allowed: everyone, call: (c, f) => c.tasks.get.query({ id: f.foreignTask }) },
  {
    procedure: 'tasks.create (own client)',
    allowed: everyone,
    call: (c, f) => c.tasks.create.mutate({ clientId: f.ownClient, title: 'Call back' }),
  },
  {
    procedure: 'tasks.create (foreign client)',
    allowed: staff,
    call: (c, f) => c.tasks.create.mutate({ clientId: f.foreignClient, title: 'Call back' }),
  },
  {
    procedure: 'tasks.update (own client)',
    allowed: everyone,
    call: (c, f) => c.tasks.update.mutate({ id: f.ownTask, description: 'updated' }),
  },
  {
    procedure: 'tasks.update (foreign client)',
    allowed: staff,
    call: (c, f) => c.tasks.update.mutate({ id: f.foreignTask, description: 'updated' }),
  },
  {
    procedure: 'tasks.update (assigned to the user)',
    allowed: everyone,
    call: (c, f) => c.tasks.update.mutate({ id: f.assignedForeignTask, description: 'updated' }),
  },
  {
    procedure: 'tasks.setStatus (assigned to the user)',
    allowed: everyone,
    call: (c, f) => c.tasks.setStatus.mutate({ id: f.assignedForeignTask, status: 'in_progress' }),
  },
  {
    procedure: 'tasks.setStatus (foreign client)',
    allowed: staff,
    call: (c, f) => c.tasks.setStatus.mutate({ id: f.foreignTask, status: 'in_progress' }),
  },
  {
    procedure: 'tasks.delete (own client)',
    allowed: everyone,
    call: async (c, f) => c.tasks.delete.mutate({ id: await f.fresh.task('user') }),
  },
  {
    procedure: 'tasks.delete (foreign client)',
    allowed: staff,
    call: async (c, f) => c.tasks.delete.mutate({ id: await f.fresh.task('otherUser') }),
  },
  // credentials
  {
    procedure: 'credentials.list (own client)',
    allowed: everyone,
    call: (c, f) => c.credentials.list.query({ clientId: f.ownClient }),
  },
  {
    procedure: 'credentials.list (foreign client)',
    allowed: staff,
    call: (c, f) => c.credentials.list.query({ clientId: f.foreignClient }),
  },
  {
    procedure: 'credentials.get (own)',
    allowed: everyone,
    call: (c, f) => c.credentials.get.query({ id: f.ownCredential }),
  },
  {
    procedure: 'credentials.get (foreign)',
    allowed: staff,
    call: (c, f) => c.credentials.get.query({ id: f.foreignCredential }),
  },
  {
    procedure: 'credentials.create (own client)',
    allowed: everyone,
    call: (c, f) => c.credentials.create.mutate({ clientId: f.ownClient, label: 'FTP', value: 'matrix-secret' }),
  },
  {
    procedure: 'credentials.create (foreign client)',
    allowed: staff,
    call: (c, f) => c.credentials.create.mutate({ clientId: f.foreignClient, label: 'FTP', value: 'matrix-secret' }),
  },
  {
    procedure: 'credentials.update (own)',
    allowed: everyone,
    call: (c, f) => c.credentials.update.mutate({ id: f.ownCredential, notes: 'rotated' }),
  },
  {
    procedure: 'credentials.update (foreign)',
    allowed: staff,
    call: (c, f) => c.credentials.update.mutate({ id: f.foreignCredential, notes: 'rotated' }),
  },
  {
    procedure: 'credentials.reveal (own)',
    allowed: everyone,
    call: (c, f) => c.credentials.reveal.mutate({ id: f.ownCredential }),
  },
  {
    procedure: 'credentials.reveal (foreign)',
    allowed: staff,
    call: (c, f) => c.credentials.reveal.mutate({ id: f.foreignCredential }),
  },
  {
    procedure: 'credentials.delete (own)',
    allowed: everyone,
    call: async (c, f) => c.credentials.delete.mutate({ id: await f.fresh.credential('user') }),
  },
  {
    procedure: 'credentials.delete (foreign)',
    allowed: staff,
    call: async (c, f) => c.credentials.delete.mutate({ id: await f.fresh.credential('otherUser') }),
  },
  // audit
  { procedure: 'audit.list', allowed: everyone, call: (c) => c.audit.list.query({}) },
  {
    procedure: 'audit.list (a foreign credential)',
    allowed: everyone, // a user gets only their own entries back, so asking is not refused
    call: (c, f) => c.audit.list.query({ credentialId: f.foreignCredential }),
  },
  { procedure: 'audit.summary', allowed: everyone, call: (c) => c.audit.summary.query() },
  { procedure: 'audit.unusualAccess', allowed: everyone, call: (c) => c.audit.unusualAccess.query() },
  { procedure: 'audit.staleCredentials', allowed: everyone, call: (c) => c.audit.staleCredentials.query() },
  // dashboard
  { procedure: 'dashboard.summary', allowed: everyone, call: (c) => c.dashboard.summary.query() },
];

const roleOf: Record<Caller, UserRole | null> = {
  anonymous: null,
  deactivated: null,
  user: 'user',
  manager: 'manager',
  admin: 'admin',
};

function expectedOutcome(row: Row, caller: Caller): 'ok' | 'UNAUTHORIZED' | 'FORBIDDEN' {
  if (row.allowed === 'public')
    return caller === 'deactivated' && row.procedure === 'auth.login' ? 'UNAUTHORIZED' : 'ok';
  const role = roleOf[caller];
  if (role === null) return 'UNAUTHORIZED';
  return row.allowed.includes(role) ? 'ok' : 'FORBIDDEN';
}

/** Paths of `id` / `…Id` fields that hold anything but a uuid string (or null). */
function serialIdsIn(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => serialIdsIn(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, field]) => {
    const isIdKey = key === 'id' || key.endsWith('Id');
    const isUuid =
      typeof field === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(field);
    const here = isIdKey && field !== null && !isUuid ? [`${path}.${key}`] : [];
    return [...here, ...serialIdsIn(field, `${path}.${key}`)];
  });
}

const fixtures = {} as Fixtures;
const sessions = new Map<Caller, CrmClient>();

async function clientFor(caller: Caller, isFresh: boolean): Promise<CrmClient> {
  if (caller === 'anonymous') return api.anonymous();
  const cached = sessions.get(caller);
  if (cached && !isFresh) return cached;
  const client = await api.signIn(caller === 'deactivated' ? 'deactivated' : caller);
  if (!isFresh) sessions.set(caller, client);
  return client;
}

beforeAll(async () => {
  const make = fixturesFor(api);
  const clientOf = async (owner: 'user' | 'otherUser') => (await make.client(owner, { tags: ['vip'] })).id;
  fixtures.ownClient = await clientOf('user');
  fixtures.foreignClient = await clientOf('otherUser');
  fixtures.ownTask = await make.task(fixtures.ownClient);
  fixtures.foreignTask = await make.task(fixtures.foreignClient);
  fixtures.assignedForeignTask = await make.task(fixtures.foreignClient, { assignee: 'user' });
  fixtures.ownCredential = (await make.credential(fixtures.ownClient)).id;
  fixtures.foreignCredential = (await make.credential(fixtures.foreignClient)).id;
  fixtures.fresh = {
    client: clientOf,
    task: async (owner) => make.task(await clientOf(owner)),
    credential: async (owner) => (await make.credential(await clientOf(owner))).id,
    user: () => make.user(),
  };
});

type Definition = { type: string; meta?: ProcedureMeta };

/** A query that does not declare `writes` runs without a transaction, so it must write nothing. */
const isReadOnlyQuery = (procedure: string) => {
  // At run time the router's procedures are one flat record by dotted name (as the coverage test reads them).
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: Definition } | undefined>;
  const definition = procedures[procedure.split(' ')[0] ?? '']?._def;
  return definition?.type === 'query' && definition.meta?.writes !== true;
};

describe.each(table)('$procedure', (row) => {
  it.each(callers)('as %s', async (caller) => {
    const expected = expectedOutcome(row, caller);
    const client = await clientFor(caller, row.isFresh ?? false);
    const countsBefore = isReadOnlyQuery(row.procedure) ? await rowCounts(api.db) : null;
    const outcome = await row.call(client, fixtures, caller).then(
      (result) => {
        // Records are addressed by uuid outside the database: no serial id in any answer.
        expect(serialIdsIn(result), row.procedure).toEqual([]);
        return 'ok';
      },
      (error: { data?: { code?: string }; message?: string }) => error.data?.code ?? `error: ${error.message}`,
    );
    // changePassword ends every session of the account, the cached one included.
    if (row.isFresh) sessions.delete(caller);
    expect(outcome).toBe(expected);
    if (countsBefore) expect(await rowCounts(api.db), `${row.procedure} wrote as a read`).toEqual(countsBefore);
  });
});

it('covers every procedure of the router', () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();
  const covered = new Set(table.map((row) => row.procedure.split(' ')[0]));
  expect(procedures.filter((name) => !covered.has(name))).toEqual([]);
});
