import { z } from 'zod';

/** GET /healthz: whether the API answers and its database does. 503 when the database does not. */
export const HealthStatus = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({
    isReachable: z.boolean(),
    /** PostgreSQL's server_version, when reachable. */
    version: z.string().nullable(),
    /** How long the probe query took, in milliseconds. */
    latencyMs: z.number().nullable(),
    error: z.string().nullable(),
  }),
});
export type HealthStatus = z.infer<typeof HealthStatus>;
