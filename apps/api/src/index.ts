/** @mini-crm/api: the types other apps compile against. The runtime client is '@mini-crm/api/client'. */
export type { AppRouter, RouterInputs, RouterOutputs } from './router.ts';
