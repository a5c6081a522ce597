/** What a tenant's limiter has seen: for benchmarks, metrics and tests. */
export interface LimiterStats {
  /** The current limit of requests in flight. */
  limit: number;
  inFlight: number;
  maxInFlight: number;
  requests: number;
  throttled: number;
  /** Requests waiting for a slot (or for a Retry-After pause to end). */
  queued: number;
}

export interface AdaptiveLimiter {
  /** Waits for a slot; the returned function gives it back with the outcome of the request. */
  acquire(
    signal?: AbortSignal,
  ): Promise<(outcome: { throttled: boolean; retryAfterMs?: number | null }) => void>;
  stats(): LimiterStats;
}

const INITIAL_LIMIT = 4;

/**
 * Additive increase, multiplicative decrease, per Microsoft 365 tenant: every request that Graph does not
 * throttle raises the limit by 1/limit (about one more slot per round of requests); a 429 halves it (once
 * per pause) and pauses the whole tenant until its Retry-After, so that the runs sharing a tenant keep
 * as many requests in flight as its throttling budget allows, learned from Graph's own answers, instead of
 * each run hammering Graph into longer and longer penalties.
 */
export function createAdaptiveLimiter(options: { max: number; now?: () => number }): AdaptiveLimiter {
  const now = options.now ?? Date.now;
  const max = Math.max(1, options.max);
  let limit = Math.min(INITIAL_LIMIT, max);
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  let throttled = 0;
  let pausedUntil = 0;
  let lastDecrease = 0;
  let timer: NodeJS.Timeout | undefined;
  const waiting: { grant: () => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

  const drain = () => {
    const wait = pausedUntil - now();
    if (wait > 0) {
      if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          drain();
        }, wait);
        timer.unref();
      }
      return;
    }
    while (waiting.length > 0 && inFlight < Math.floor(limit)) {
      const next = waiting.shift();
      if (!next) break;
      next.signal?.removeEventListener('abort', next.onAbort);
      next.grant();
    }
  };

  const take = () => {
    inFlight++;
    requests++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let released = false;
    return (outcome: { throttled: boolean; retryAfterMs?: number | null }) => {
      if (released) return;
      released = true;
      inFlight--;
      const t = now();
      if (outcome.throttled) {
        throttled++;
        // One decrease per pause: a burst of 429s answering requests sent together is one signal.
        if (t >= lastDecrease + 1_000) {
          limit = Math.max(1, limit / 2);
          lastDecrease = t;
        }
        pausedUntil = Math.max(pausedUntil, t + (outcome.retryAfterMs ?? 1_000));
      } else {
        limit = Math.min(max, limit + 1 / limit);
      }
      drain();
    };
  };

  return {
    acquire(signal) {
      if (waiting.length === 0 && inFlight < Math.floor(limit) && now() >= pausedUntil) {
        return Promise.resolve(take());
      }
      return new Promise((resolve, reject) => {
        const entry = {
          grant: () => resolve(take()),
          signal,
          onAbort: () => {
            const i = waiting.indexOf(entry);
            if (i >= 0) waiting.splice(i, 1);
            reject(signal?.reason ?? new Error('aborted'));
          },
        };
        if (signal?.aborted) {
          reject(signal.reason ?? new Error('aborted'));
          return;
        }
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        waiting.push(entry);
        drain();
      });
    },
    stats: () => ({
      limit: Math.round(limit * 100) / 100,
      inFlight,
      maxInFlight,
      requests,
      throttled,
      queued: waiting.length,
    }),
  };
}
