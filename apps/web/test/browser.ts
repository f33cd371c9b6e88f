/**
 * The SPA under test, for real: apps/api's test harness (its own PostgreSQL database, the Fastify
 * server on 127.0.0.1 serving the built SPA from apps/web/dist) and Debian's Chromium driven by
 * playwright-core. A test fails on any uncaught error in the page.
 *
 *   const web = useBrowser();
 *   const page = await web.signIn('manager');
 *   await openFromNav(page, 'Clients');
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AccountName, useTestApi } from '@mini-crm/api/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
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

  /** A fresh page signed in as one of the harness's accounts, on the dashboard. */
  async function signIn(name: AccountName, viewport = desktop): Promise<Page> {
    const page = await newPage(viewport);
    await signInOn(page, api.accounts[name]);
    return page;
  }

  /** How many rows `SELECT count(*) FROM <from>` finds in the test database ($1… bind `params`). */
  async function countRows(from: string, params: unknown[] = []): Promise<number> {
    const { rows } = await api.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`, params);
    return rows[0]?.n ?? 0;
  }

  return { api, newPage, signIn, countRows };
}

type SignInDetails = { email: string; password: string };

/** Fills in the sign-in form the page shows and submits it. */
export async function submitSignIn(page: Page, { email, password }: SignInDetails) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in on this page through the sign-in form (at `signInUrl`) and waits for the dashboard. */
export async function signInOn(page: Page, details: SignInDetails, signInUrl = '/sign-in') {
  await page.goto(signInUrl);
  await submitSignIn(page, details);
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}

/** Follows a link of the main navigation and waits for the page's heading of the same name. */
export async function openFromNav(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** The URLs of the page's requests that contain `part` (e.g. a procedure name), from now on. */
export function requestsTo(page: Page, part: string): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes(part)) urls.push(request.url());
  });
  return urls;
}

/**
 * Saves a screenshot of the page as it is now (`name`) and expects no serious accessibility problems
 * on it; at phone width also that nothing pushes the page sideways (only tables scroll, inside their
 * own box), so it reflows as WCAG asks.
 */
export async function expectAccessible(page: Page, name: string) {
  await screenshot(page, name);
  const width = page.viewportSize()?.width ?? desktop.width;
  if (width <= phone.width) {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** The text of what a control's aria-describedby names: the message (and hint) under a field. */
export const describedText = (control: Locator) =>
  control.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );

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
