/**
 * Property-based, like test/fuzz.test.ts, for sign-in and the credential vault: 100 random and
 * nearly-valid inputs each here, never a 5xx, and a refused call changes no row count. The fault
 * suite runs 1 000 of each (test/faults/fuzz.faults.ts).
 */
import { afterEach, beforeAll, describe, it } from 'vitest';
import { useTestApi } from './api.ts';
import { checkFuzzCase, type FuzzIds, fuzzCases, makeFuzzRecords } from './fuzz-cases.ts';

const api = useTestApi();
let ids: FuzzIds;

beforeAll(async () => {
  ids = await makeFuzzRecords(api);
});

// Failed sign-ins count towards the address's limit; every case starts under it.
afterEach(() => api.db.query('DELETE FROM login_failures'));

describe.each(fuzzCases.filter((fuzzCase) => fuzzCase.isVault))('$name with random input', (fuzzCase) => {
  it('answers 4xx or succeeds, never 5xx, and a refusal changes no row', async () => {
    await checkFuzzCase(api, ids, fuzzCase, 100);
  });
});
