/**
 * Property-based inputs for every procedure, shared by the regular suite (test/fuzz.test.ts and
 * test/fuzz-vault.test.ts, 100 runs each) and the fault suite (test/faults/fuzz.faults.ts, 1 000 runs
 * each for sign-in and the vault). Inputs start from a valid one with some fields replaced by junk
 * (wrong types, blanks, NULs, huge strings, SQL, bad uuids), or are junk altogether. The property:
 * the answer is a success or a 4xx, never a 5xx, and a refused call changes no row count.
 */
import { TRPCClientError } from '@trpc/client';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { CrmClient } from '../src/client.ts';
import type { TestApi } from './api.ts';
import { fixtures, rowCounts } from './fixtures.ts';

export const junk = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.object({ maxDepth: 1 }),
  fc.constantFrom(
    '',
    '   ',
    'null',
    "'; DROP TABLE users; --",
    'a\u0000b',
    'x'.repeat(20_000),
    '2024-02-30',
    '1999-12-31',
    'not-a-uuid',
    '00000000-0000-4000-8000-000000000000',
    'javascript:alert(1)',
    'Mars/Olympus',
    'europe/berlin',
    'someone@',
    '-1',
    '1e309',
    '💥🔥',
  ),
);

/** A good input with a random subset of its fields replaced by junk; or junk instead of an object. */
export const around = (good: Record<string, unknown>) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(fc.constantFrom(...Object.keys(good)), junk).map((o) => ({ ...good, ...o })),
    },
    { weight: 1, arbitrary: junk },
  );

export type FuzzIds = { client: string; task: string; credential: string; user: string };

export type FuzzCase = {
  name: string;
  /** Sign-in and the credential vault: 1 000 runs in the fault suite. */
  isVault?: boolean;
  /** A valid input (or, for deletions, one aimed at nothing); none: the procedure takes no input (it gets junk). */
  base?: (ids: FuzzIds, api: TestApi) => Record<string, unknown>;
  run: (c: CrmClient, input: never) => Promise<unknown>;
  /** Runs before each input (sign-in: forget the failures, so every attempt reaches the password check). */
  beforeEach?: (api: TestApi) => Promise<unknown>;
};

const nobody = '00000000-0000-4000-8000-000000000000';

export const fuzzCases: FuzzCase[] = [
  {
    name: 'auth.login',
    isVault: true,
    base: (_, api) => ({ email: api.accounts.user.email, password: 'not the password' }),
    run: (c, i) => c.auth.login.mutate(i),
    beforeEach: (api) => api.db.query('DELETE FROM login_failures'),
  },
  { name: 'auth.me', run: (c, i) => c.auth.me.query(i) },
  {
    name: 'auth.changePassword',
    base: () => ({ current: 'not the password', next: 'a long new password' }),
    run: (c, i) => c.auth.changePassword.mutate(i),
  },
  {
    name: 'auth.updateProfile',
    base: () => ({ name: 'Fuzzed', timezone: 'Europe/Berlin' }),
    run: (c, i) => c.auth.updateProfile.mutate(i),
  },
  {
    name: 'users.list',
    base: () => ({ search: 'fuzz', role: 'user', isActive: true, limit: 10 }),
    run: (c, i) => c.users.list.query(i),
  },
  { name: 'users.get', base: (ids) => ({ id: ids.user }), run: (c, i) => c.users.get.query(i) },
  {
    name: 'users.create',
    base: () => ({
      email: 'fuzz@test.example.com',
      name: 'Fuzz',
      role: 'user',
      timezone: 'UTC',
      password: 'a long enough password',
    }),
    run: (c, i) => c.users.create.mutate(i),
  },
  {
    name: 'users.update',
    base: (ids) => ({ id: ids.user, name: 'Renamed', role: 'manager', timezone: 'Asia/Tokyo' }),
    run: (c, i) => c.users.update.mutate(i),
  },
  { name: 'users.deactivate', base: (ids) => ({ id: ids.user }), run: (c, i) => c.users.deactivate.mutate(i) },
  { name: 'users.reactivate', base: (ids) => ({ id: ids.user }), run: (c, i) => c.users.reactivate.mutate(i) },
  {
    name: 'users.resetPassword',
    base: (ids) => ({ id: ids.user, password: 'another long password' }),
    run: (c, i) => c.users.resetPassword.mutate(i),
  },
  {
    name: 'clients.list',
    base: () => ({ search: 'fuzz', status: 'active', tags: ['a'], tagMatch: 'all', sort: 'name', limit: 10 }),
    run: (c, i) => c.clients.list.query(i),
  },
  { name: 'clients.get', base: (ids) => ({ id: ids.client }), run: (c, i) => c.clients.get.query(i) },
  { name: 'clients.byTag', base: () => ({ tag: 'fuzz' }), run: (c, i) => c.clients.byTag.query(i) },
  { name: 'clients.tags', run: (c, i) => c.clients.tags.query(i) },
  {
    name: 'clients.create',
    base: (_, api) => ({
      name: 'Fuzz Co',
      company: 'Fuzz Ltd',
      email: 'hello@fuzz.example.com',
      phone: '+1 555 0100',
      status: 'prospect',
      tags: ['fuzz'],
      timezone: 'America/New_York',
      websiteUrl: 'https://fuzz.example.com',
      notes: 'notes',
      ownerId: api.accounts.user.id,
    }),
    run: (c, i) => c.clients.create.mutate(i),
  },
  {
    name: 'clients.update',
    base: (ids) => ({ id: ids.client, name: 'Renamed Co', status: 'inactive', tags: ['a', 'b'] }),
    run: (c, i) => c.clients.update.mutate(i),
  },
  // The client holds a credential, so a delete that gets through validation is refused (409).
  { name: 'clients.delete', base: (ids) => ({ id: ids.client }), run: (c, i) => c.clients.delete.mutate(i) },
  {
    name: 'tasks.list',
    base: (ids) => ({ clientId: ids.client, status: 'pending', urgency: 'overdue', dueFrom: '2030-01-01', limit: 10 }),
    run: (c, i) => c.tasks.list.query(i),
  },
  { name: 'tasks.get', base: (ids) => ({ id: ids.task }), run: (c, i) => c.tasks.get.query(i) },
  {
    name: 'tasks.create',
    base: (ids, api) => ({
      clientId: ids.client,
      title: 'Call back',
      description: 'about the invoice',
      status: 'pending',
      priority: 'high',
      dueDate: '2030-01-01',
      assigneeId: api.accounts.user.id,
    }),
    run: (c, i) => c.tasks.create.mutate(i),
  },
  {
    name: 'tasks.update',
    base: (ids) => ({ id: ids.task, title: 'Call again', status: 'in_progress', dueDate: '2030-01-02' }),
    run: (c, i) => c.tasks.update.mutate(i),
  },
  {
    name: 'tasks.setStatus',
    base: (ids) => ({ id: ids.task, status: 'completed' }),
    run: (c, i) => c.tasks.setStatus.mutate(i),
  },
  { name: 'tasks.delete', base: () => ({ id: nobody }), run: (c, i) => c.tasks.delete.mutate(i) },
  {
    name: 'credentials.list',
    isVault: true,
    base: (ids) => ({ clientId: ids.client }),
    run: (c, i) => c.credentials.list.query(i),
  },
  {
    name: 'credentials.get',
    isVault: true,
    base: (ids) => ({ id: ids.credential }),
    run: (c, i) => c.credentials.get.query(i),
  },
  {
    name: 'credentials.create',
    isVault: true,
    base: (ids) => ({
      clientId: ids.client,
      label: 'FTP',
      username: 'deploy',
      value: 'fuzz-secret',
      url: 'https://ftp.example.com',
      notes: 'rotate yearly',
    }),
    run: (c, i) => c.credentials.create.mutate(i),
  },
  {
    name: 'credentials.update',
    isVault: true,
    base: (ids) => ({ id: ids.credential, label: 'SFTP', value: 'new-fuzz-secret', url: 'https://sftp.example.com' }),
    run: (c, i) => c.credentials.update.mutate(i),
  },
  {
    name: 'credentials.delete',
    isVault: true,
    base: () => ({ id: nobody }),
    run: (c, i) => c.credentials.delete.mutate(i),
  },
  {
    name: 'credentials.reveal',
    isVault: true,
    base: (ids) => ({ id: ids.credential }),
    run: (c, i) => c.credentials.reveal.mutate(i),
  },
  {
    name: 'audit.list',
    base: (ids) => ({ credentialId: ids.credential, action: 'view', from: '2020-01-01T00:00:00Z', limit: 10 }),
    run: (c, i) => c.audit.list.query(i),
  },
  { name: 'audit.summary', base: () => ({ limit: 10 }), run: (c, i) => c.audit.summary.query(i) },
  { name: 'audit.unusualAccess', run: (c, i) => c.audit.unusualAccess.query(i) },
  { name: 'audit.staleCredentials', run: (c, i) => c.audit.staleCredentials.query(i) },
  { name: 'dashboard.summary', run: (c, i) => c.dashboard.summary.query(i) },
];

/** The records the cases aim at: a client with a task and a credential, and a second user. */
export async function makeFuzzRecords(api: TestApi): Promise<FuzzIds> {
  const make = fixtures(api);
  const client = (await make.client('user')).id;
  return {
    client,
    task: await make.task(client),
    credential: (await make.credential(client)).id,
    user: await make.user(),
  };
}

/** The HTTP status a failed call got: tRPC's, or the raw response's when the answer was not tRPC's. */
function statusOf(error: unknown): { status: number; message: string } {
  if (!(error instanceof TRPCClientError)) return { status: 0, message: String(error) };
  const data = error.data as { httpStatus?: number } | undefined;
  const response = (error.meta as { response?: Response } | undefined)?.response;
  return { status: data?.httpStatus ?? response?.status ?? 0, message: error.message };
}

/** Runs `numRuns` random inputs through the case as an admin: each succeeds or gets a 4xx that changed nothing. */
export async function checkFuzzCase(api: TestApi, ids: FuzzIds, fuzzCase: FuzzCase, numRuns: number) {
  const client = await api.signIn('admin');
  const input = fuzzCase.base ? around(fuzzCase.base(ids, api)) : fc.oneof(fc.constant(undefined), junk);
  // The counts as the last run left them: read again only after a success (which may have written).
  let counts = await rowCounts(api.db);
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      await fuzzCase.beforeEach?.(api);
      const outcome = await fuzzCase.run(client, value as never).then(
        () => null,
        (error: unknown) => statusOf(error),
      );
      const after = await rowCounts(api.db);
      const before = counts;
      counts = after;
      if (outcome === null) return;
      expect(outcome.status, outcome.message).toBeGreaterThanOrEqual(400);
      expect(outcome.status, outcome.message).toBeLessThan(500);
      expect(after).toEqual(before);
    }),
    { numRuns },
  );
}
