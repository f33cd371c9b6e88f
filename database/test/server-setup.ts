// globalSetup shared by both servers: start one, hand its address to the test files, stop it after.
import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServerKind } from '../src/testing.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; version: string };
  }
}

export async function setupServer(project: TestProject, kind: TestServerKind) {
  const server = await startTestServer(kind);
  project.provide('postgres', { adminUrl: server.adminUrl, version: server.version });
  return server.stop;
}
