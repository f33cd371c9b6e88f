import { router } from '../trpc.ts';

/** credentials.*: see the procedure list. */
export const credentialsRouter = router({});
