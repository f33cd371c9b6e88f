/// <reference types="vitest/config" />
// The schema suite runs once per real server: the embedded PostgreSQL 18 always, and Debian's
// PostgreSQL 15 too when its binaries are installed (proof of the spec's "PostgreSQL 12+").
import { defineConfig } from 'vitest/config';
import { hasSystemPostgres } from './src/testing.ts';

const servers = [
  { name: 'embedded-pg18', setup: './test/setup-embedded.ts', exclude: [] },
  // These start embedded servers of their own: once is enough.
  ...(hasSystemPostgres()
    ? [
        {
          name: 'debian-pg15',
          setup: './test/setup-system.ts',
          exclude: ['test/cli.test.ts', 'test/embedded.test.ts', 'test/open.test.ts'],
        },
      ]
    : []),
];

export default defineConfig({
  test: {
    projects: servers.map((server) => ({
      extends: true,
      test: { name: server.name, globalSetup: [server.setup], exclude: server.exclude },
    })),
    include: ['test/**/*.test.ts'],
    // The JSON totals feed the closing line of `pnpm test` (packages/tooling/src/run-tests.ts).
    reporters: ['default', 'json'],
    outputFile: { json: './test-results/vitest.json' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
