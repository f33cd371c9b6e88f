import type { TestProject } from 'vitest/node';
import { setupServer } from './server-setup.ts';

export default (project: TestProject) => setupServer(project, 'system');
