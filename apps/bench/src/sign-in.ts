/**
 * auth.login for the benchmark's account, over whatever carries the request (Fastify's inject while
 * capturing, fetch against the API process): the session cookie to send with every measured call.
 */
import { sessionCookieName } from '@mini-crm/api/client';
import { benchAccount } from './cases.ts';

type LoginResponse = { status: number; setCookie: string[] };

export async function signInCookie(post: (body: string) => Promise<LoginResponse>, password: string) {
  const response = await post(JSON.stringify({ email: benchAccount, password }));
  if (response.status !== 200) throw new Error(`sign-in as ${benchAccount} failed: HTTP ${response.status}`);
  const cookie = response.setCookie
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${sessionCookieName}=`) && pair.length > sessionCookieName.length + 1);
  if (!cookie) throw new Error(`sign-in as ${benchAccount} set no ${sessionCookieName} cookie`);
  return cookie;
}
