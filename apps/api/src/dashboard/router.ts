import { router } from '../trpc.ts';

/** dashboard.*: see the procedure list. */
export const dashboardRouter = router({});
