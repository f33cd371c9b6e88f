import { setupTestServer } from '@mini-crm/database/testing';
import type { TestProject } from 'vitest/node';

export default (project: TestProject) => setupTestServer(project, 'embedded');
