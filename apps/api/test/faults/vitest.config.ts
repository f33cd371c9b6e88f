/// <reference types="vitest/config" />
/**
 * `pnpm test:faults`: the load and fault suite (test/faults/*.faults.ts), apart from `pnpm test`
 * because it runs for minutes. One file at a time: each measures the machine it has to itself.
 * The figures each test measures are printed to the console; nothing is written to disk.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/faults/**/*.faults.ts'],
    // The fuzz file uses the shared test server (useTestApi); the others start servers of their own.
    globalSetup: ['./test/setup-database.ts'],
    fileParallelism: false,
    disableConsoleIntercept: true,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
