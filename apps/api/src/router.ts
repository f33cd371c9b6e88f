/** The API: one router per domain. Its type is the contract the SPA and other apps compile against. */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { auditRouter } from './audit/router.ts';
import { authRouter } from './auth/router.ts';
import { clientsRouter } from './clients/router.ts';
import { credentialsRouter } from './credentials/router.ts';
import { dashboardRouter } from './dashboard/router.ts';
import { tasksRouter } from './tasks/router.ts';
import { router } from './trpc.ts';
import { usersRouter } from './users/router.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  clients: clientsRouter,
  tasks: tasksRouter,
  credentials: credentialsRouter,
  audit: auditRouter,
  dashboard: dashboardRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
