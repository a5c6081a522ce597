/** How hard the Graph client tries before a failure reaches its caller. */
export interface GraphRetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Time budget of one call, waits included: a longer Retry-After is handed to the caller instead. */
  maxTotalMs: number;
  /** First backoff step without Retry-After; doubles each attempt, with jitter. */
  baseDelayMs: number;
  /** Longest single backoff step without Retry-After. */
  maxDelayMs: number;
  /** Timeout of one attempt (headers and body). */
  attemptTimeoutMs: number;
}

/** Defaults sized for interactive reads; the provisioning engine passes a longer budget. */
export const DEFAULT_RETRY_POLICY: Readonly<GraphRetryPolicy> = Object.freeze({
  maxAttempts: 6,
  maxTotalMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  attemptTimeoutMs: 30_000,
});

/** Methods safe to resend after a doubtful failure: the server may already have applied them. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Retry-After in milliseconds (delta-seconds or an HTTP date), or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, capped. */
export function backoffDelay(
  attempt: number,
  policy: GraphRetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}
