import type { TestProject } from 'vitest/node';
import { setupTestServer } from '../src/testing.ts';

export default (project: TestProject) => setupTestServer(project, 'embedded');
