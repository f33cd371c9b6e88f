/**
 * The SPA's one connection to the API: a tRPC client over fetch (the browser keeps the session
 * cookie) and the TanStack Query option factories typed by the API's AppRouter (types only: no
 * server code reaches the bundle).
 */

import type { AppRouter, RouterInputs, RouterOutputs } from '@mini-crm/api';
import { maxBatchSize } from '@mini-crm/api/client';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';

export type { RouterInputs, RouterOutputs };

/** The HTTP status of an API error, or null for a network failure or anything else. */
export function httpStatusOf(error: unknown): number | null {
  if (!(error instanceof TRPCClientError)) return null;
  const status = (error.data as { httpStatus?: unknown } | undefined)?.httpStatus;
  return typeof status === 'number' ? status : null;
}

/** A 401 anywhere means the session is gone: forget the user, and <RequireUser> goes to sign-in. */
function forgetUserOn401(error: unknown) {
  if (httpStatusOf(error) === 401) queryClient.setQueryData(trpc.auth.me.queryKey(), null);
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: forgetUserOn401 }),
  mutationCache: new MutationCache({ onError: forgetUserOn401 }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx answer will not change by asking again; a network error or a 503 may.
      retry: (failures, error) => {
        const status = httpStatusOf(error);
        return failures < 2 && (status === null || status >= 500);
      },
    },
  },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/trpc', maxItems: maxBatchSize })],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
