import { router } from '../trpc.ts';

/** users.*: see the procedure list. */
export const usersRouter = router({});
