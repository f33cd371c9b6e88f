export * from './enums.ts';
export * from './health.ts';
