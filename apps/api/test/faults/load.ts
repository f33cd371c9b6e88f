/**
 * The load: N workers, each one signed-in HTTP client with one request in flight (so N connections),
 * sending a mix of reads and writes for a given time and counting every answer. Each write carries a
 * unique name (`<run> <kind> w<worker> n<seq>`), so afterwards the database can be asked exactly which
 * writes exist. An answer is one of:
 *   acknowledged  2xx: the write happened, and must be found;
 *   refused       4xx, or a connection refused (nothing listening): it did not happen;
 *   unknown       5xx, a reset connection or no answer in time: it may or may not have happened.
 * Every call goes over plain HTTP in tRPC's wire format, as any client app would send it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAccounts, loadPassword } from './stack.ts';

export type WriteKind = 'client' | 'task' | 'credential';
export const writeKinds: readonly WriteKind[] = ['client', 'task', 'credential'];

export type WriteOutcomes = { acknowledged: Set<string>; refused: Set<string>; unknown: Set<string> };

/** One answer: when its request started and ended (ms since the load began) and its status. */
export type Answer = { startedAt: number; endedAt: number; status: string; procedure: string; message?: string };

export type Tally = {
  runId: string;
  answers: Answer[];
  writes: Record<WriteKind, WriteOutcomes>;
  reveals: { acknowledged: number; unknown: number };
  /** Set by the run: when it began (Date.now()), so callers can place events on the same clock. */
  startedAt: number;
};

export type LoadOptions = {
  url: string;
  durationMs: number;
  /** Ends the run early (a fault test that is done). */
  signal?: AbortSignal;
  /** Writes only (the API kill test). */
  isWriteOnly?: boolean;
  /** No answer within this long counts as "unknown". */
  requestTimeoutMs?: number;
};

type Call = { status: string; data?: unknown; message?: string; cookie?: string };

/** A valid client's request: a mutation is a POST, a query a GET with the input in the URL. */
async function call(
  url: string,
  cookie: string,
  kind: 'query' | 'mutation',
  procedure: string,
  input: unknown,
  timeoutMs: number,
): Promise<Call> {
  const target =
    kind === 'query'
      ? `${url}/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
      : `${url}/trpc/${procedure}`;
  try {
    const response = await fetch(target, {
      method: kind === 'query' ? 'GET' : 'POST',
      headers: { origin: url, cookie, 'content-type': 'application/json', 'user-agent': 'mini-crm fault tests' },
      ...(kind === 'mutation' && { body: JSON.stringify(input) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: { result?: { data?: unknown }; error?: { message?: string } } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const setCookie = response.headers.getSetCookie()[0]?.split(';')[0];
    return {
      status: String(response.status),
      data: body?.result?.data,
      ...(body?.error?.message !== undefined && { message: body.error.message }),
      ...(setCookie !== undefined && { cookie: setCookie }),
    };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { status: 'timeout' };
    // Refused: the request never reached a server, so it changed nothing. Anything else (a reset) is unknown.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return { status: code === 'ECONNREFUSED' ? 'connection refused' : 'network' };
  }
}

export const isAcknowledged = (status: string) => status.startsWith('2');
export const isRefused = (status: string) => status.startsWith('4') || status === 'connection refused';

export function newTally(): Tally {
  const outcomes = () => ({ acknowledged: new Set<string>(), refused: new Set<string>(), unknown: new Set<string>() });
  return {
    runId: `load-${randomUUID().slice(0, 8)}`,
    answers: [],
    writes: { client: outcomes(), task: outcomes(), credential: outcomes() },
    reveals: { acknowledged: 0, unknown: 0 },
    startedAt: Date.now(),
  };
}

/** The label a write of `kind` carries: findable with `LIKE '<run> <kind> %'`. */
export const writeName = (runId: string, kind: WriteKind, worker: number, seq: number) =>
  `${runId} ${kind} w${worker} n${seq}`;

/** The secret a credential write stores: checked after the run by decrypting it. */
export const secretOf = (label: string) => `secret of ${label}`;

/**
 * Signs each worker in before the clock starts, a few at a time: sign-ins sent all at once for one
 * account count as attempts against its limit (10 in 15 minutes, README "Sign-in") and get 429.
 */
export async function signInWorkers(url: string, workers: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let first = 0; first < workers; first += 4) {
    const batch = Array.from({ length: Math.min(4, workers - first) }, async (_, offset) => {
      const account = loadAccounts[(first + offset) % loadAccounts.length] ?? loadAccounts[0];
      const login = await call(
        url,
        '',
        'mutation',
        'auth.login',
        { email: account.email, password: loadPassword },
        30_000,
      );
      if (!isAcknowledged(login.status) || !login.cookie) {
        throw new Error(`sign-in failed: ${login.status} ${login.message ?? ''}`);
      }
      return login.cookie;
    });
    cookies.push(...(await Promise.all(batch)));
  }
  return cookies;
}

/** Runs the load with signed-in `cookies` (one worker each); resolves once the time is up or the signal fires. */
export async function runLoad(
  options: LoadOptions & { cookies: readonly string[] },
  tally = newTally(),
): Promise<Tally> {
  const timeoutMs = options.requestTimeoutMs ?? 20_000;
  tally.startedAt = Date.now();
  const clock = () => Date.now() - tally.startedAt;
  const deadline = tally.startedAt + options.durationMs;
  const isRunning = () => Date.now() < deadline && !options.signal?.aborted;

  const record = async (cookie: string, kind: 'query' | 'mutation', procedure: string, input: unknown) => {
    const startedAt = clock();
    const result = await call(options.url, cookie, kind, procedure, input, timeoutMs);
    const answer: Answer = { startedAt, endedAt: clock(), status: result.status, procedure };
    if (result.message !== undefined && !isAcknowledged(result.status)) answer.message = result.message;
    tally.answers.push(answer);
    // While the database is away every call fails fast: back off a little, as a real client would.
    if (!isAcknowledged(result.status) && !result.status.startsWith('4')) await sleep(50);
    return result;
  };

  const worker = async (index: number, cookie: string) => {
    let seq = 0;
    const write = async (kind: WriteKind, extra: Record<string, unknown>) => {
      seq += 1;
      const name = writeName(tally.runId, kind, index, seq);
      const [procedure, input] =
        kind === 'client'
          ? ['clients.create', { name }]
          : kind === 'task'
            ? ['tasks.create', { title: name, ...extra }]
            : ['credentials.create', { label: name, value: secretOf(name), ...extra }];
      const result = await record(cookie, 'mutation', procedure, input);
      const outcomes = tally.writes[kind];
      if (isAcknowledged(result.status)) outcomes.acknowledged.add(name);
      else if (isRefused(result.status)) outcomes.refused.add(name);
      else outcomes.unknown.add(name);
      return isAcknowledged(result.status) ? (result.data as { id: string }) : null;
    };

    // A client of its own, which its tasks and credentials belong to (a user may only add to clients it owns).
    let home: { id: string } | null = null;
    while (!home && isRunning()) home = await write('client', {});
    const credentials: string[] = [];
    while (isRunning() && home) {
      const roll = Math.random();
      if (options.isWriteOnly || roll < 0.4) {
        const kind = roll < 0.1 ? 'client' : roll < 0.25 ? 'task' : 'credential';
        const created = await write(kind, kind === 'client' ? {} : { clientId: home.id });
        if (created && kind === 'credential') credentials.push(created.id);
      } else if (roll < 0.6) {
        await record(cookie, 'query', 'clients.list', { limit: 25 });
      } else if (roll < 0.75) {
        await record(cookie, 'query', 'tasks.list', { limit: 25 });
      } else if (roll < 0.9) {
        await record(cookie, 'query', 'dashboard.summary', undefined);
      } else {
        const id = credentials[Math.floor(Math.random() * credentials.length)];
        if (!id) continue;
        // A reveal writes its 'decrypt' audit row in the same transaction: a write too.
        const result = await record(cookie, 'mutation', 'credentials.reveal', { id });
        if (isAcknowledged(result.status)) tally.reveals.acknowledged += 1;
        else if (!isRefused(result.status)) tally.reveals.unknown += 1;
      }
    }
  };

  await Promise.all(options.cookies.map((cookie, index) => worker(index, cookie)));
  return tally;
}

/** Answers counted by status ("200", "503", "network", ...). */
export function countByStatus(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

export const isServerError = (status: string) => status.startsWith('5');
