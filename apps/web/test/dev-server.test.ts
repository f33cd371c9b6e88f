/**
 * The README's first command in miniature: Vite's dev server (hot reload) in front of the real API,
 * proxying /trpc. A browser signs in through it, which only works when the proxy keeps the browser's
 * Host, since the API refuses a POST whose Origin names another host.
 */
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-crm/database/testing';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInOn, useBrowser } from './browser.ts';

const web = useBrowser();
let vite: ViteDevServer;
let viteUrl = '';

beforeAll(async () => {
  // vite.config.ts reads the API's port from PORT, as `pnpm dev` gives it.
  process.env.PORT = new URL(web.api.url).port;
  const port = await freePort();
  vite = await createServer({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    server: { port, hmr: false },
    logLevel: 'silent',
  });
  await vite.listen();
  viteUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await vite?.close();
  delete process.env.PORT;
});

describe('development: Vite proxied to the API', () => {
  it('serves the app and lets a user sign in through the proxy', async () => {
    const page = await web.newPage();
    await signInOn(page, web.api.accounts.manager, `${viteUrl}/sign-in`);
    expect(new URL(page.url()).origin).toBe(viteUrl);
    await page.context().close();
  });
});
