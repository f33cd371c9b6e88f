/**
 * What every HTTP answer carries (security headers, HSTS only over https), the largest body the API
 * reads, and how long a request may take.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testEncryptionKey, useTestApi } from '../../test/api.ts';
import { fixtures, rowCounts } from '../../test/fixtures.ts';
import { createCrmClient, sessionCookieName } from '../client.ts';
import { buildServer } from '../server.ts';
import { httpLimits } from './limits.ts';
import { contentSecurityPolicy, strictTransportSecurity } from './security-headers.ts';

const api = useTestApi();

type Server = Awaited<ReturnType<typeof buildServer>>;

/** What a refused call of the typed client carries. */
type ClientError = { data: { httpStatus: number; code: string }; message: string };

/** A server on the test database that also serves a built SPA, behind a proxy it trusts. */
async function serverWithSpa(webDir: string) {
  return buildServer({ pool: api.pool, encryptionKey: testEncryptionKey, webDir, trustProxy: true });
}

/** "mini_crm_session=…" for the account, signed in on the harness's own server. */
async function sessionCookieOf(name: 'admin') {
  const response = await fetch(`${api.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: api.url },
    body: JSON.stringify({ email: api.accounts[name].email, password: api.accounts[name].password }),
  });
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${sessionCookieName}=`));
  if (!cookie) throw new Error(`sign-in answered ${response.status} without a session cookie`);
  return cookie.split(';')[0] ?? '';
}

async function listen(app: Server) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

describe('security headers', () => {
  let app: Server;
  let webDir: string;
  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'mini-crm-web-'));
    await mkdir(join(webDir, 'assets'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Mini CRM</title><div id="root"></div>');
    await writeFile(join(webDir, 'assets', 'app.js'), 'console.log("app")');
    app = await serverWithSpa(webDir);
  });
  afterAll(async () => {
    await app.close();
    await rm(webDir, { recursive: true, force: true });
  });

  const sameSite = { host: 'crm.test', origin: 'http://crm.test' };
  const answers = [
    ['the SPA at /', { method: 'GET', url: '/' }, 200],
    ['a deep link', { method: 'GET', url: '/clients/7c9e6679-7425-40de-944b-e07fc1f90ae7' }, 200],
    ['a built asset', { method: 'GET', url: '/assets/app.js' }, 200],
    ['/healthz', { method: 'GET', url: '/healthz' }, 200],
    ['a tRPC read', { method: 'GET', url: '/trpc/auth.me' }, 200],
    ['a tRPC error', { method: 'GET', url: '/trpc/clients.list?input=%7B%7D' }, 401],
    ['an unknown API path', { method: 'GET', url: '/trpc/nothing.here' }, 404],
    ['a refused cross-site write', { method: 'POST', url: '/trpc/clients.create', headers: { host: 'crm.test' } }, 403],
    [
      'a tRPC write',
      { method: 'POST', url: '/trpc/auth.logout', headers: { ...sameSite, 'content-type': 'application/json' } },
      200,
    ],
  ] as const;

  it.each(answers)('%s carries the CSP, nosniff, a referrer policy and no framing', async (_name, request, status) => {
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('DENY');
    // Plain http: no HSTS, or a local http setup would be locked out.
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('allows no inline script or style, no other origin, and no framing', () => {
    const directives = new Map(
      contentSecurityPolicy.split(';').map((part) => {
        const [name = '', ...values] = part.trim().split(/\s+/);
        return [name, values];
      }),
    );
    for (const name of ['default-src', 'script-src', 'style-src', 'connect-src']) {
      expect(directives.get(name), name).toEqual(["'self'"]);
    }
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('sends HSTS when a trusted proxy says the request came over https', async () => {
    for (const url of ['/', '/trpc/auth.me', '/healthz']) {
      const response = await app.inject({ method: 'GET', url, headers: { 'x-forwarded-proto': 'https' } });
      expect(response.headers['strict-transport-security'], url).toBe(strictTransportSecurity);
    }
  });

  it('ignores X-Forwarded-Proto when no proxy is trusted (TRUST_PROXY unset)', async () => {
    const response = await fetch(`${api.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
  });

  it('tells browsers and proxies not to keep API answers', async () => {
    const response = await app.inject({ method: 'GET', url: '/trpc/auth.me' });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('the body size limit', () => {
  it('takes the largest legitimate credential: a 10 000-character secret and notes, not ASCII', async () => {
    const admin = await api.signIn('admin');
    const client = await fixtures(api).client('admin');
    const secret = '秘'.repeat(10_000);
    const created = await admin.credentials.create.mutate({
      clientId: client.id,
      label: 'Largest allowed',
      value: secret,
      notes: '注'.repeat(10_000),
    });
    expect((await admin.credentials.reveal.mutate({ id: created.id })).value).toBe(secret);
  });

  it('refuses a bigger body with 413 and a message the typed client reads, and writes nothing', async () => {
    const admin = await api.signIn('admin');
    const before = await rowCounts(api.db);
    const error = await admin.clients.create
      .mutate({ name: 'Too big', notes: 'x'.repeat(httpLimits.bodyLimit) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    const { data, message } = error as ClientError;
    expect(data.httpStatus).toBe(413);
    expect(data.code).toBe('PAYLOAD_TOO_LARGE');
    expect(message).toBe('the request is larger than 128 KiB');
    expect(await rowCounts(api.db)).toEqual(before);
    expect(await api.db.query("SELECT 1 FROM clients WHERE name = 'Too big'")).toMatchObject({ rowCount: 0 });
  });

  it('refuses it whatever the framing: a declared length, chunks of unknown length, plain text', async () => {
    const big = JSON.stringify({ name: 'y'.repeat(httpLimits.bodyLimit) });
    const chunked = new ReadableStream({
      start(controller) {
        for (let at = 0; at < big.length; at += 16_384)
          controller.enqueue(new TextEncoder().encode(big.slice(at, at + 16_384)));
        controller.close();
      },
    });
    const requests: [string, RequestInit][] = [
      ['content-length', { body: big, headers: { 'content-type': 'application/json' } }],
      ['chunked', { body: chunked, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit],
      ['text/plain', { body: big, headers: { 'content-type': 'text/plain' } }],
    ];
    for (const [name, init] of requests) {
      const response = await fetch(`${api.url}/trpc/clients.create`, {
        ...init,
        method: 'POST',
        headers: { ...(init.headers as Record<string, string>), origin: api.url },
      });
      expect(response.status, name).toBe(413);
      expect(response.headers.get('content-type'), name).toMatch(/^application\/json/);
      expect(((await response.json()) as { error: { message: string } }).error.message, name).toBe(
        'the request is larger than 128 KiB',
      );
    }
  });
});

describe('request timeouts', () => {
  it('answers 503 with a clear message when a request takes longer than the handler timeout', async () => {
    const app = await buildServer({
      pool: api.pool,
      encryptionKey: testEncryptionKey,
      limits: { handlerTimeout: 300 },
    });
    const url = await listen(app);
    const client = await fixtures(api).client('admin');
    // Another transaction holds the client's row, so the update waits on its lock.
    const blocker = await api.db.connect();
    try {
      // Signed in on the harness's server (sessions live in the database): a sign-in here would
      // itself run into the 300 ms limit on a busy machine (bcrypt).
      const admin = createCrmClient(url, { headers: { cookie: await sessionCookieOf('admin') } });
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM clients WHERE uuid = $1 FOR UPDATE', [client.id]);
      const started = Date.now();
      const error = (await admin.clients.update
        .mutate({ id: client.id, name: 'Waited' })
        .catch((caught: unknown) => caught)) as ClientError;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.data.httpStatus).toBe(503);
      expect(error.message).toBe(
        'the server took too long to answer; check whether the change was made before retrying',
      );
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
      await app.close();
    }
  });

  it('closes a connection that goes silent in the middle of a request', async () => {
    const app = await buildServer({
      pool: api.pool,
      encryptionKey: testEncryptionKey,
      limits: { connectionTimeout: 300 },
    });
    const { port } = new URL(await listen(app));
    try {
      const socket = connect(Number(port), '127.0.0.1');
      const started = Date.now();
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.on('error', () => {});
      const host = `127.0.0.1:${port}`;
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      // Headers that pass the Origin check, then 4 of the 100 bytes the body says it has.
      socket.write(
        `POST /trpc/auth.login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
      );
      await closed;
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(answer).toBe('');
    } finally {
      await app.close();
    }
  });

  it('uses bounded defaults, each shorter than the one that wraps it', async () => {
    // What the API's own connections run with (db.ts): a statement ends before the request's limit.
    const settings = await api.pool.one(
      sql.type(z.object({ statement: z.string(), idle: z.string() }))`
        SELECT current_setting('statement_timeout') AS statement,
               current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(settings).toEqual({ statement: '30s', idle: expect.stringMatching(/^\d+(s|min)$/) });
    expect(httpLimits.requestTimeout).toBeGreaterThan(0);
    expect(httpLimits.handlerTimeout).toBeGreaterThan(30_000); // the pool's statement timeout answers first
    expect(httpLimits.connectionTimeout).toBeGreaterThan(httpLimits.handlerTimeout);
    expect(httpLimits.bodyLimit).toBe(128 * 1024);
  });
});
