import { type Dispatcher, request } from 'undici';

/** A call through the load balancer that did not end in a 2xx answer. */
export interface Failure {
  /** Milliseconds since the tally started. */
  at: number;
  method: string;
  path: string;
  /** HTTP status, or absent when no answer came (connection refused or reset, timeout …). */
  status?: number;
  detail: string;
}

export interface CallResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

/** Counts every HTTP request made through one origin and keeps each one that failed. */
export interface HttpTally {
  readonly calls: number;
  readonly failures: readonly Failure[];
  /**
   * One request; a non-2xx answer or a transport error is recorded as a failure. Resolves with the
   * answer (any status), or undefined when none came.
   */
  call(
    method: 'GET' | 'POST',
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<CallResult | undefined>;
}

export function createHttpTally(origin: string, dispatcher: Dispatcher): HttpTally {
  const started = Date.now();
  let calls = 0;
  const failures: Failure[] = [];
  return {
    get calls() {
      return calls;
    },
    failures,
    async call(method, path, options = {}) {
      calls++;
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      try {
        const res = await request(`${origin}${path}`, {
          method,
          headers,
          dispatcher,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
        const text = await res.body.text();
        const body: unknown =
          (res.headers['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : text;
        if (res.statusCode < 200 || res.statusCode > 299)
          failures.push({
            at: Date.now() - started,
            method,
            path,
            status: res.statusCode,
            detail: text.slice(0, 300),
          });
        return { status: res.statusCode, body };
      } catch (error) {
        const e = error as Error & { code?: string };
        failures.push({
          at: Date.now() - started,
          method,
          path,
          detail: `${e.code ?? e.name}: ${e.message}`,
        });
        return undefined;
      }
    },
  };
}
