export { inRolledBackTransaction, type TestDatabase, useTestDatabase } from '../src/testing.ts';
