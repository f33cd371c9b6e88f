import type { TestProject } from 'vitest/node';
import { setupTestServer } from '@mini-crm/database/testing';

export default (project: TestProject) => setupTestServer(project, 'embedded');
