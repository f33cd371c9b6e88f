/**
 * The HTTP load of (b) and (c): autocannon as a library, on loopback, for a fixed time. Latencies are
 * taken from autocannon's per-response event (fractions of a millisecond) rather than its histogram,
 * which keeps whole milliseconds: a 0.6 ms answer would read as 0 or 1.
 */
import autocannon from 'autocannon';

export type Measure = {
  /** Answers (2xx) per second. */
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Failed requests: connection errors, timeouts and non-2xx answers (pgbench: failed transactions). */
  errors: number;
};

export type LoadOptions = {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
};

export function hammer(options: LoadOptions): Promise<Measure> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        method: options.method,
        headers: options.headers ?? {},
        ...(options.body !== undefined && { body: options.body }),
        timeout: 30,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        latencies.sort((x, y) => x - y);
        resolve({
          rps: latencies.length / result.duration,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          errors: result.errors + result.non2xx,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** The value at fraction `q` of sorted values (nearest rank); NaN for none. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
