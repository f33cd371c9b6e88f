import { router } from '../trpc.ts';

/** tasks.*: see the procedure list. */
export const tasksRouter = router({});
