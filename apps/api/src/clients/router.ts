import { router } from '../trpc.ts';

/** clients.*: see the procedure list. */
export const clientsRouter = router({});
