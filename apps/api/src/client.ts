/**
 * createCrmClient: the typed client for other apps (Node scripts, internal tools).
 *
 *   const crm = createCrmClient('http://127.0.0.1:3000');
 *   await crm.auth.login.mutate({ email, password });
 *   const { items } = await crm.tasks.list.query({ urgency: 'overdue' });
 *
 * In Node it keeps the session cookie itself and sends an Origin header (the API refuses
 * state-changing requests without one). In a browser the browser does both.
 */
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from './router.ts';

/** The cookie that carries the session token (set by auth.login, cleared by auth.logout). */
export const sessionCookieName = 'mini_crm_session';

/** The most calls the API takes in one batched request (server.ts); the link splits bigger batches. */
export const maxBatchSize = 20;

export type CrmClientOptions = {
  /** Extra headers for every request (e.g. a user agent that names your app). */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
};

export function createCrmClient(url: string, options: CrmClientOptions = {}) {
  const base = new URL(url);
  const apiUrl = new URL('/trpc', base).toString();
  const isBrowser = 'document' in globalThis;
  let cookie: string | null = null;
  const fetchImpl = options.fetch ?? fetch;

  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: apiUrl,
        maxItems: maxBatchSize,
        headers: () => ({
          ...(!isBrowser && { origin: base.origin }),
          ...(cookie && { cookie }),
          ...options.headers,
        }),
        fetch: async (input, init) => {
          const response = await fetchImpl(input as Parameters<typeof fetch>[0], {
            ...(init as RequestInit),
            credentials: 'include',
          });
          if (!isBrowser) cookie = sessionCookieOf(response.headers) ?? cookie;
          return response;
        },
      }),
    ],
  });
}

export type CrmClient = ReturnType<typeof createCrmClient>;

/** The session cookie a response sets ("name=value"), or "" when it clears it. */
function sessionCookieOf(headers: Headers): string | null {
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';');
    if (!pair.startsWith(`${sessionCookieName}=`)) continue;
    const isCleared = pair === `${sessionCookieName}=` || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    return isCleared ? '' : pair;
  }
  return null;
}
