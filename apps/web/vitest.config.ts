/// <reference types="vitest/config" />
import { defineConfig } from 'vitest/config';

// The browser tests: the real API and PostgreSQL (apps/api's harness) serving the built SPA
// (turbo builds it first), driven by Debian's Chromium through playwright-core.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['../api/test/setup-database.ts'],
    // One browser at a time: two cores already run PostgreSQL, the API and Chromium.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: './test-results/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
