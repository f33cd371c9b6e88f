/**
 * The long fuzz: 1 000 random and nearly-valid inputs each for sign-in and every credential
 * procedure (the regular suite runs 100 of every procedure: test/fuzz.test.ts, test/fuzz-vault.test.ts):
 * never a 5xx, and a refused call changes no row. Sign-in forgets its failures before each input, so
 * valid-shaped ones reach the bcrypt check. Two servers on two databases take half the cases each,
 * side by side (a case needs its database to itself: it compares row counts).
 */
import { afterEach, beforeAll, describe, it } from 'vitest';
import { useTestApi } from '../api.ts';
import { checkFuzzCase, type FuzzIds, fuzzCases, makeFuzzRecords } from '../fuzz-cases.ts';

const lanes = [useTestApi(), useTestApi()].map((api) => ({ api, ids: {} as FuzzIds }));
const vaultCases = fuzzCases.filter((fuzzCase) => fuzzCase.isVault);

beforeAll(async () => {
  for (const lane of lanes) lane.ids = await makeFuzzRecords(lane.api);
});

afterEach(() => Promise.all(lanes.map((lane) => lane.api.db.query('DELETE FROM login_failures'))));

async function runLane(index: number) {
  const lane = lanes[index];
  if (!lane) throw new Error(`no lane ${index}`);
  for (const fuzzCase of vaultCases.filter((_, position) => position % lanes.length === index)) {
    const started = Date.now();
    await checkFuzzCase(lane.api, lane.ids, fuzzCase, 1_000);
    console.log(`fuzz ${fuzzCase.name}: 1000 runs, no 5xx, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

describe.concurrent('sign-in and the credential procedures with 1 000 random inputs each', () => {
  it.each(lanes.map((_, index) => index))(
    'lane %i: answers 4xx or succeeds, never 5xx, and a refusal changes no row',
    async (index) => {
      await runLane(index);
    },
  );
});
