import { router } from '../trpc.ts';

/** audit.*: see the procedure list. */
export const auditRouter = router({});
