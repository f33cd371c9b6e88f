/**
 * What lets a read skip its first statement (runAsSession). That statement checks the session and
 * sets the caller's settings on the pooled connection. A read needs neither when this process knows
 * the session is live and the connection still carries exactly those settings from an earlier read
 * of the same caller: then the read is its procedure's statements alone.
 *
 * Knowing stays true because the process LISTENs to what migration 009 sends when a user's row or
 * one of their sessions changes (a sign-out, a deactivation, a new role, password or time zone), and
 * forgets that user. Until it listens, or once its listening connection is lost, it knows nothing
 * and every read checks its session. Writes always check it, in their own transaction.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loggableError } from '../errors.ts';
import type { SessionUser } from './queries.ts';

export const sessionChangesChannel = 'mini_crm_session_changes';

/** Past this many, the longest-known session is forgotten first (it is read again on its next use). */
const maxKnownSessions = 10_000;
/** A bound on what a lost notification could leave stale (a connection dead without an error, say). */
const knownForMs = 60_000;
const relistenAfterMs = 1_000;

export type KnownSession = { user: SessionUser; expiresAt: Date };
type Known = KnownSession & { readAt: number };
/** What a request's settings hold besides its user: see scopeSettings. */
export type RequestOrigin = { ip: string | null; userAgent: string | null };

/**
 * The driver's connection behind a slonik pool connection: one object for as long as that database
 * connection lives, where the pool connection handed to each request is new. slonik 49 keeps it as
 * `connection`; without it nothing is remembered and every read runs its scope statement.
 */
const driverConnectionOf = (db: object): object | null => {
  const connection = (db as { connection?: unknown }).connection;
  return typeof connection === 'object' && connection !== null ? connection : null;
};

const settingsOf = (user: SessionUser, origin: RequestOrigin) =>
  JSON.stringify([user.id, user.timezone, origin.ip, origin.userAgent]);

export class SessionCache {
  #sessions = new Map<string, Known>();
  /** The settings each database connection's session holds, as the last read's scope statement set them. */
  #settings = new WeakMap<object, string>();
  /** Moves on every forgetting: a session read before it may have changed since, so it is not kept. */
  #generation = 0;
  #listener: pg.Client | null = null;
  #isStopped = false;
  #retry: NodeJS.Timeout | null = null;
  #syncs = new Map<string, () => void>();
  #onListening: Array<() => void> = [];
  /** Warn once when listening stops, not at every attempt to listen again. */
  #hasWarned = false;

  /** The session, if it is known live and `db`'s connection already carries its settings for `origin`. */
  reuse(db: object, sessionId: string, origin: RequestOrigin): KnownSession | null {
    if (this.#listener === null) return null;
    const known = this.#sessions.get(sessionId);
    const connection = driverConnectionOf(db);
    const now = Date.now();
    if (!known || !connection || known.expiresAt.getTime() <= now || now - known.readAt > knownForMs) return null;
    const isCarried = this.#settings.get(connection) === settingsOf(known.user, origin);
    return isCarried ? { user: known.user, expiresAt: known.expiresAt } : null;
  }

  /** Taken before a session is read from the database; remember() keeps it only if nothing was forgotten since. */
  get generation() {
    return this.#generation;
  }

  /** After a read's scope statement set `db`'s connection's settings for the session's user. */
  remember(generation: number, db: object, sessionId: string, known: KnownSession, origin: RequestOrigin) {
    const connection = driverConnectionOf(db);
    if (connection) this.#settings.set(connection, settingsOf(known.user, origin));
    if (generation !== this.#generation || this.#listener === null) return;
    this.#sessions.delete(sessionId); // re-inserted last: the Map's order is the order of reading
    if (this.#sessions.size >= maxKnownSessions) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(sessionId, { ...known, readAt: Date.now() });
  }

  /** Immediately, in this process (a sign-out); the other processes learn it from the notification. */
  forgetSession(sessionId: string) {
    this.#generation += 1;
    this.#sessions.delete(sessionId);
  }

  forgetUser(userId: number) {
    this.#generation += 1;
    for (const [sessionId, known] of this.#sessions) {
      if (known.user.id === userId) this.#sessions.delete(sessionId);
    }
  }

  #forgetAll() {
    this.#generation += 1;
    this.#sessions.clear();
  }

  /**
   * Starts listening on `url` (the API's database), and again a second after the connection is lost.
   * A plain `pg` client: slonik has no LISTEN, and a pooled connection would be handed to requests.
   */
  listen(url: string, warn: (message: string, detail?: unknown) => void) {
    this.#isStopped = false;
    const client = new pg.Client({
      connectionString: url,
      application_name: 'mini-crm session changes',
      keepAlive: true, // so a connection that died silently ends in an error
    });
    let isLost = false;
    const lost = (error?: unknown) => {
      if (isLost) return;
      isLost = true;
      if (this.#listener === client) this.#listener = null;
      this.#forgetAll();
      for (const resolve of this.#syncs.values()) resolve();
      this.#syncs.clear();
      client.end().catch(() => {});
      if (this.#isStopped) return;
      if (!this.#hasWarned) {
        this.#hasWarned = true;
        warn('session changes: not listening; every read checks its session until listening again', {
          err: error instanceof Error ? loggableError(error) : undefined,
        });
      }
      this.#retry = setTimeout(() => this.listen(url, warn), relistenAfterMs);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', ({ payload = '' }) => this.#notified(payload));
    client
      .connect()
      .then(() => client.query(`LISTEN ${sessionChangesChannel}`))
      .then(() => {
        if (this.#isStopped || isLost) return void client.end().catch(() => {});
        // Whatever was known before may have changed unheard.
        this.#forgetAll();
        this.#listener = client;
        this.#hasWarned = false;
        for (const resolve of this.#onListening.splice(0)) resolve();
      })
      .catch(lost);
  }

  #notified(payload: string) {
    if (payload.startsWith('sync:')) {
      this.#syncs.get(payload)?.();
      this.#syncs.delete(payload);
      return;
    }
    const userId = Number(payload);
    if (Number.isInteger(userId)) this.forgetUser(userId);
    else this.#forgetAll();
  }

  get isListening() {
    return this.#listener !== null;
  }

  /** Resolves once the process listens (tests, before they rely on it). */
  listening(): Promise<void> {
    return this.isListening ? Promise.resolve() : new Promise((resolve) => this.#onListening.push(resolve));
  }

  /**
   * Resolves once every change committed before the call has reached this process: notifications
   * arrive in commit order, so the arrival of one sent now says so. `notify` sends its payload on
   * `sessionChangesChannel` (tests, after changing users or sessions directly in SQL).
   */
  async settle(notify: (payload: string) => Promise<unknown>) {
    if (this.#listener === null) return;
    const payload = `sync:${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.#syncs.set(payload, resolve));
    await notify(payload);
    await arrived;
  }

  async stop() {
    this.#isStopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    const listener = this.#listener;
    this.#listener = null;
    this.#forgetAll();
    await listener?.end().catch(() => {});
  }
}
