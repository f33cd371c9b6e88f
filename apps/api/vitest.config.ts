/// <reference types="vitest/config" />
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./test/setup-database.ts'],
    // The JSON totals feed the closing line of `pnpm test` (packages/tooling/src/run-tests.ts).
    reporters: ['default', 'json'],
    outputFile: { json: './test-results/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
