/**
 * The long fuzz: 1 000 random and nearly-valid inputs each for sign-in and every credential
 * procedure (the regular suite runs 100 of every procedure): never a 5xx, and a refused call changes
 * no row. Sign-in forgets its failures before each input, so valid-shaped ones reach the bcrypt check.
 */
import { afterEach, beforeAll, describe, it } from 'vitest';
import { useTestApi } from '../api.ts';
import { checkFuzzCase, type FuzzIds, fuzzCases, makeFuzzRecords } from '../fuzz-cases.ts';

const api = useTestApi();
let ids: FuzzIds;

beforeAll(async () => {
  ids = await makeFuzzRecords(api);
});

afterEach(() => api.db.query('DELETE FROM login_failures'));

describe.each(fuzzCases.filter((fuzzCase) => fuzzCase.isVault))('$name with 1 000 random inputs', (fuzzCase) => {
  it('answers 4xx or succeeds, never 5xx, and a refusal changes no row', async () => {
    const started = Date.now();
    await checkFuzzCase(api, ids, fuzzCase, 1_000);
    console.log(`fuzz ${fuzzCase.name}: 1000 runs, no 5xx, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
