/**
 * `pnpm test`: every package's tests through turbo, then one closing line with the totals of all
 * vitest runs ("Tests: N passed, N failed, N skipped"), read from the JSON each run writes to
 * <package>/test-results/vitest.json. Exits non-zero when turbo failed or any test failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The workspace's package folders, as in pnpm-workspace.yaml.
const packageDirs = [
  join(root, 'database'),
  ...['apps', 'packages'].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name))),
];
const resultFiles = packageDirs.map((dir) => join(dir, 'test-results', 'vitest.json'));

type VitestJson = { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };

for (const file of resultFiles) rmSync(file, { force: true }); // never count an earlier run

const turbo = spawnSync('turbo', ['run', 'test', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of resultFiles.filter((path) => existsSync(path))) {
  const result = JSON.parse(readFileSync(file, 'utf8')) as VitestJson;
  totals.passed += result.numPassedTests;
  totals.failed += result.numFailedTests;
  totals.skipped += result.numPendingTests + result.numTodoTests;
}

console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
const isGreen = turbo.status === 0 && totals.failed === 0 && totals.passed > 0;
process.exit(isGreen ? 0 : 1);
