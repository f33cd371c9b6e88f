/**
 * Property-based: random and nearly-valid inputs to every mutation get an answer in the 4xx range
 * or succeed — never a 500 — and a refused request changes no row count. Inputs start from a valid
 * one with some fields replaced by junk (wrong types, blanks, NULs, huge strings, SQL, bad uuids),
 * or are junk altogether.
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CrmClient } from '../src/client.ts';
import { useTestApi } from './api.ts';
import { fixtures, rowCounts } from './fixtures.ts';

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

/** A good input with a random subset of its fields replaced by junk; or junk instead of an object. */
const around = (good: Record<string, unknown>) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(fc.constantFrom(...Object.keys(good)), junk).map((o) => ({ ...good, ...o })),
    },
    { weight: 1, arbitrary: junk },
  );

type Mutation = {
  name: string;
  base: () => Record<string, unknown>;
  run: (c: CrmClient, input: never) => Promise<unknown>;
};

let ids: { client: string; task: string; credential: string; user: string };

const nobody = '00000000-0000-4000-8000-000000000000';

/** Each starts from an input that would succeed (or, for deletions, aim at nothing) and is spoiled field by field. */
const mutations: Mutation[] = [
  {
    name: 'auth.login',
    base: () => ({ email: api.accounts.user.email, password: 'not the password' }),
    run: (c, i) => c.auth.login.mutate(i),
  },
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
    base: () => ({ id: ids.user, name: 'Renamed', role: 'manager', timezone: 'Asia/Tokyo' }),
    run: (c, i) => c.users.update.mutate(i),
  },
  { name: 'users.deactivate', base: () => ({ id: ids.user }), run: (c, i) => c.users.deactivate.mutate(i) },
  { name: 'users.reactivate', base: () => ({ id: ids.user }), run: (c, i) => c.users.reactivate.mutate(i) },
  {
    name: 'users.resetPassword',
    base: () => ({ id: ids.user, password: 'another long password' }),
    run: (c, i) => c.users.resetPassword.mutate(i),
  },
  {
    name: 'clients.create',
    base: () => ({
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
    base: () => ({ id: ids.client, name: 'Renamed Co', status: 'inactive', tags: ['a', 'b'] }),
    run: (c, i) => c.clients.update.mutate(i),
  },
  // The client holds a credential, so a delete that gets through validation is refused (409).
  { name: 'clients.delete', base: () => ({ id: ids.client }), run: (c, i) => c.clients.delete.mutate(i) },
  {
    name: 'tasks.create',
    base: () => ({
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
    base: () => ({ id: ids.task, title: 'Call again', status: 'in_progress', dueDate: '2030-01-02' }),
    run: (c, i) => c.tasks.update.mutate(i),
  },
  {
    name: 'tasks.setStatus',
    base: () => ({ id: ids.task, status: 'completed' }),
    run: (c, i) => c.tasks.setStatus.mutate(i),
  },
  { name: 'tasks.delete', base: () => ({ id: nobody }), run: (c, i) => c.tasks.delete.mutate(i) },
  {
    name: 'credentials.create',
    base: () => ({
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
    base: () => ({
      id: ids.credential,
      label: 'SFTP',
      value: 'new-fuzz-secret',
      url: 'https://sftp.example.com',
    }),
    run: (c, i) => c.credentials.update.mutate(i),
  },
  { name: 'credentials.delete', base: () => ({ id: nobody }), run: (c, i) => c.credentials.delete.mutate(i) },
  {
    name: 'credentials.reveal',
    base: () => ({ id: ids.credential }),
    run: (c, i) => c.credentials.reveal.mutate(i),
  },
];

beforeAll(async () => {
  const make = fixtures(api);
  const client = (await make.client('user')).id;
  ids = {
    client,
    task: await make.task(client),
    credential: (await make.credential(client)).id,
    user: await make.user(),
  };
});

// Failed sign-ins count towards the address's limit; every case starts under it.
afterEach(() => api.db.query('DELETE FROM login_failures'));

describe.each(mutations)('$name with random input', (mutation) => {
  it('answers 4xx or succeeds, never 500, and a refusal changes no row', async () => {
    const client = await api.signIn('admin');
    const good = mutation.base();
    await fc.assert(
      fc.asyncProperty(around(good), async (input) => {
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
