/**
 * The SPA under test, for real: apps/api's test harness (its own PostgreSQL database, the Fastify
 * server on 127.0.0.1 serving the built SPA from apps/web/dist) and Debian's Chromium driven by
 * playwright-core. A test fails on any uncaught error in the page.
 *
 *   const web = useBrowser();
 *   const page = await web.signIn('manager');
 *   await page.getByRole('link', { name: 'Clients' }).click();
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AccountName, useTestApi } from '@mini-crm/api/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const distIndex = fileURLToPath(new URL('../dist/index.html', import.meta.url));
export const screenshotDir = fileURLToPath(new URL('../test-results/screenshots', import.meta.url));

/** Flags that keep Chromium quiet and local (no network of its own, no GPU) in a container. */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const phone = { width: 375, height: 740 };
export const desktop = { width: 1280, height: 860 };

export function useBrowser() {
  const api = useTestApi({ showDemoAccounts: true });
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(distIndex)) throw new Error('apps/web/dist is missing: run `pnpm build` (pnpm test does it)');
    if (!existsSync(chromiumPath)) {
      throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });
  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh browser profile (no cookies) on the SPA. */
  async function newPage(viewport = desktop): Promise<Page> {
    if (!browser) throw new Error('the browser did not start');
    const context = await browser.newContext({ baseURL: api.url, viewport });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  /** Signs in through the sign-in form and waits for the dashboard. */
  async function signIn(name: AccountName, viewport = desktop): Promise<Page> {
    const page = await newPage(viewport);
    const account = api.accounts[name];
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    return page;
  }

  return { api, newPage, signIn };
}

/** Saves the page as test-results/screenshots/<name>.png: an artifact of the run, never committed. */
export async function screenshot(page: Page, name: string) {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** axe-core's serious and critical violations on the page as it is now ("rule: help (selector)"). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the app's CSP (no inline script) does not stop it.
  await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeViolation[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}
