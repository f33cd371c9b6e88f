/**
 * Property-based: random and nearly-valid inputs to every mutation get an answer in the 4xx range
 * or succeed — never a 500 — and a refused request changes no row count. Inputs start from a valid
 * one with some fields replaced by junk (wrong types, blanks, NULs, huge strings, SQL, bad uuids),
 * or are junk altogether.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmClient } from '../src/client.ts';
import { testPassword, useTestApi } from './api.ts';
import { makeClient, makeCredential, makeTask, makeUser, rowCounts } from './fixtures.ts';

const api = useTestApi();

const junk = fc.oneof(
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

/** A valid input with a random subset of its fields replaced by junk; or junk instead of an object. */
const around = (valid: Record<string, unknown>) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(fc.constantFrom(...Object.keys(valid)), junk).map((o) => ({ ...valid, ...o })),
    },
    { weight: 1, arbitrary: junk },
  );

type Mutation = {
  name: string;
  valid: () => Promise<Record<string, unknown>>;
  run: (c: CrmClient, input: never) => Promise<unknown>;
};

let ids: { client: string; task: string; credential: string; user: string };

const mutations: Mutation[] = [
  {
    name: 'auth.login',
    valid: async () => ({ email: api.accounts.user.email, password: 'wrong password' }),
    run: (c, i) => c.auth.login.mutate(i),
  },
  {
    name: 'auth.changePassword',
    valid: async () => ({ current: testPassword, next: 'x' }),
    run: (c, i) => c.auth.changePassword.mutate(i),
  },
  {
    name: 'auth.updateProfile',
    valid: async () => ({ name: 'Fuzzed', timezone: 'UTC' }),
    run: (c, i) => c.auth.updateProfile.mutate(i),
  },
  {
    name: 'users.create',
    valid: async () => ({
      email: 'fuzz@test.example.com',
      name: 'Fuzz',
      role: 'user',
      timezone: 'UTC',
      password: 'short',
    }),
    run: (c, i) => c.users.create.mutate(i),
  },
  {
    name: 'users.update',
    valid: async () => ({ id: ids.user, email: api.accounts.manager.email, name: 'N', role: 'user', timezone: 'UTC' }),
    run: (c, i) => c.users.update.mutate(i),
  },
  {
    name: 'users.deactivate',
    valid: async () => ({ id: api.accounts.admin.id }),
    run: (c, i) => c.users.deactivate.mutate(i),
  },
  {
    name: 'users.reactivate',
    valid: async () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    run: (c, i) => c.users.reactivate.mutate(i),
  },
  {
    name: 'users.resetPassword',
    valid: async () => ({ id: ids.user, password: 'short' }),
    run: (c, i) => c.users.resetPassword.mutate(i),
  },
  {
    name: 'clients.create',
    valid: async () => ({
      name: '',
      company: 'C',
      email: 'a@b',
      status: 'active',
      tags: ['x'],
      timezone: 'UTC',
      websiteUrl: 'ftp://x',
      ownerId: api.accounts.user.id,
    }),
    run: (c, i) => c.clients.create.mutate(i),
  },
  {
    name: 'clients.update',
    valid: async () => ({ id: ids.client, name: ' ', status: 'gone', websiteUrl: 'https://example.com' }),
    run: (c, i) => c.clients.update.mutate(i),
  },
  { name: 'clients.delete', valid: async () => ({ id: ids.client }), run: (c, i) => c.clients.delete.mutate(i) },
  {
    name: 'tasks.create',
    valid: async () => ({
      clientId: ids.client,
      title: '',
      priority: 'high',
      dueDate: '2101-01-01',
      assigneeId: api.accounts.user.id,
    }),
    run: (c, i) => c.tasks.create.mutate(i),
  },
  {
    name: 'tasks.update',
    valid: async () => ({ id: ids.task, title: ' ', status: 'done', dueDate: '1999-01-01' }),
    run: (c, i) => c.tasks.update.mutate(i),
  },
  {
    name: 'tasks.setStatus',
    valid: async () => ({ id: ids.task, status: 'finished' }),
    run: (c, i) => c.tasks.setStatus.mutate(i),
  },
  {
    name: 'tasks.delete',
    valid: async () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    run: (c, i) => c.tasks.delete.mutate(i),
  },
  {
    name: 'credentials.create',
    valid: async () => ({ clientId: ids.client, label: '', username: 'u', value: '', url: 'javascript:x', notes: 'n' }),
    run: (c, i) => c.credentials.create.mutate(i),
  },
  {
    name: 'credentials.update',
    valid: async () => ({ id: ids.credential, label: ' ', url: 'mailto:x' }),
    run: (c, i) => c.credentials.update.mutate(i),
  },
  {
    name: 'credentials.delete',
    valid: async () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    run: (c, i) => c.credentials.delete.mutate(i),
  },
  {
    name: 'credentials.reveal',
    valid: async () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    run: (c, i) => c.credentials.reveal.mutate(i),
  },
];

beforeAll(async () => {
  const client = await makeClient(api.db, api.accounts.user.internalId);
  ids = {
    client,
    task: await makeTask(api.db, client),
    credential: await makeCredential(api.db, client),
    user: await makeUser(api.db),
  };
});

describe.each(mutations)('$name with random input', (mutation) => {
  it('answers 4xx or succeeds, never 500, and a refusal changes no row', async () => {
    const client = await api.signIn('admin');
    const valid = await mutation.valid();
    await fc.assert(
      fc.asyncProperty(around(valid), async (input) => {
        const before = await rowCounts(api.db);
        const outcome = await mutation.run(client, input as never).then(
          () => ({ isOk: true as const }),
          (error: { data?: { httpStatus?: number; code?: string }; message?: string }) => ({
            isOk: false as const,
            status: error.data?.httpStatus ?? 0,
            message: error.message,
          }),
        );
        if (outcome.isOk) return;
        expect(outcome.status, outcome.message).toBeGreaterThanOrEqual(400);
        expect(outcome.status, outcome.message).toBeLessThan(500);
        expect(await rowCounts(api.db)).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });
});

describe('malformed HTTP requests', () => {
  it('answer 4xx, never 500', async () => {
    const bodies = ['{', 'null', '[]', '"text"', '{"0":{"json":1}}', 'x'.repeat(100_000)];
    for (const body of bodies) {
      for (const path of ['clients.create', 'auth.login', 'clients.create,tasks.create?batch=1', 'nope.nothing']) {
        const response = await fetch(`${api.url}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: api.url },
          body,
        });
        const label = `${path} ${body.slice(0, 20)}`;
        // A batch answers 207 (multi-status) with one result per call: each must be a 4xx.
        const statuses =
          response.status === 207
            ? ((await response.json()) as { error?: { data?: { httpStatus?: number } } }[]).map(
                (result) => result.error?.data?.httpStatus ?? 200,
              )
            : [response.status];
        for (const status of statuses) {
          expect(status, label).toBeGreaterThanOrEqual(400);
          expect(status, label).toBeLessThan(500);
        }
      }
    }
    for (const query of ['input=%7B', 'input=null', 'input=%22x%22', 'batch=1&input=%5B%5D']) {
      const response = await fetch(`${api.url}/trpc/clients.list?${query}`);
      expect(response.status, query).toBeGreaterThanOrEqual(400);
      expect(response.status, query).toBeLessThan(500);
    }
  });
});
