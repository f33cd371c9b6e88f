/**
 * Property-based: random and nearly-valid inputs to every procedure outside the vault
 * (test/fuzz-cases.ts), 100 runs each, get an answer in the 4xx range or succeed — never a 5xx — and a
 * refused call changes no row count. Sign-in and the credential procedures: test/fuzz-vault.test.ts
 * (a file of its own, so the two run side by side). Then malformed HTTP no typed client would send.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from './api.ts';
import { checkFuzzCase, type FuzzIds, fuzzCases, makeFuzzRecords } from './fuzz-cases.ts';

const api = useTestApi();
let ids: FuzzIds;

beforeAll(async () => {
  ids = await makeFuzzRecords(api);
});

// Failed sign-ins count towards the address's limit; every case starts under it.
afterEach(() => api.db.query('DELETE FROM login_failures'));

describe.each(fuzzCases.filter((fuzzCase) => !fuzzCase.isVault))('$name with random input', (fuzzCase) => {
  it('answers 4xx or succeeds, never 5xx, and a refusal changes no row', async () => {
    await checkFuzzCase(api, ids, fuzzCase, 100);
  });
});

describe('malformed HTTP requests', () => {
  it('answer 4xx, never 500', async () => {
    const bodies = ['{', 'null', '[]', '"text"', '{"0":{"json":1}}', 'x'.repeat(100_000), 'x'.repeat(200_000)];
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
    for (const query of [
      'input=%7B',
      'input=null',
      'input=%22x%22',
      'batch=1&input=%5B%5D',
      `input=${'x'.repeat(20_000)}`,
    ]) {
      const response = await fetch(`${api.url}/trpc/clients.list?${query}`);
      expect(response.status, query.slice(0, 30)).toBeGreaterThanOrEqual(400);
      expect(response.status, query.slice(0, 30)).toBeLessThan(500);
    }
  });
});
