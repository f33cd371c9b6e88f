// What other workspace packages may import from the API (types only, for the SPA).
export type { HealthStatus } from '@mini-crm/models';
