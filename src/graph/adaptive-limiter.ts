import type { TenantThrottle, ThrottleView } from './tenant-throttle-state.ts';

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
  /** Processes sending to the tenant as the shared state last said, this one included (1 without it). */
  peers: number;
}

export interface AdaptiveLimiter {
  /** Waits for a slot; the returned function gives it back with the outcome of the request. */
  acquire(
    signal?: AbortSignal,
  ): Promise<(outcome: { throttled: boolean; retryAfterMs?: number | null }) => void>;
  stats(): LimiterStats;
  /** Stops reading and writing the shared state (the client is closing); local limiting goes on. */
  close(): void;
}

/** What the limiter tells about the shared state: failed (it then limits alone) or answering again. */
export type SharedThrottleEvent = { ok: false; error: unknown } | { ok: true };

export interface AdaptiveLimiterOptions {
  max: number;
  now?: () => number;
  /** The tenant's throttling as every process sees it; without it the limiter is this process's alone. */
  shared?: TenantThrottle;
  onShared?: (event: SharedThrottleEvent) => void;
}

const INITIAL_LIMIT = 4;
/** A burst of 429s answering requests sent together is one signal: one halving per second at most. */
const DECREASE_SPACING_MS = 1_000;
/** Without requests for this long the background refresh stops … */
const IDLE_MS = 2_000;
/** … and a view older than this is consulted again before the next request leaves. */
const STALE_MS = 1_000;
/** How long a request waits for that consultation at most: a slow store must not hold Graph calls. */
const CONSULT_WAIT_MS = 300;
/** A read or write of the shared state that takes longer counts as a failure. */
const SHARED_TIMEOUT_MS = 1_000;
/** While the shared state fails, it is tried again this often (the limiter goes on alone meanwhile). */
const OUTAGE_RETRY_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Additive increase, multiplicative decrease, per Microsoft 365 tenant: every request that Graph does not
 * throttle raises the limit by 1/limit (about one more slot per round of requests); a 429 halves it (once
 * per pause) and pauses the whole tenant until its Retry-After, so that the runs sharing a tenant keep
 * as many requests in flight as its throttling budget allows, learned from Graph's own answers, instead of
 * each run hammering Graph into longer and longer penalties.
 *
 * Several processes (workers) sending to one tenant share its throttling through `shared` (Redis or
 * PostgreSQL, see tenant-throttle-state.ts), because Graph's budget is the app's in the tenant, not a
 * process's, and Graph throttles again whoever sends before Retry-After has passed:
 *
 * - **Pause**: a 429 is published at once; every process pauses until the latest Retry-After any of
 *   them was given, so that no process resumes into another's pause and extends it for all.
 * - **Synchronised decrease**: a halving is published as a new decrease epoch; every process that sees a
 *   new epoch halves its own limit once (its own 429s of the same burst included: once per second).
 * - **Additive increase stays local but is shared out**: each process raises its limit by
 *   1/(limit × peers), peers being the processes that sent to the tenant in the last seconds, so that
 *   together they grow by about one slot per round, as one process does. With decreases synchronised
 *   and increases summing to one process's, N processes follow one AIMD sawtooth around the tenant's
 *   budget (each holding about 1/N of it) instead of N of them, each as fast as one.
 *
 * The shared state is never on a request's path: while the tenant is busy a background read refreshes
 * the view every `shared.refreshMs`; only the first request after an idle spell, and the first after a
 * pause, wait for one read (at most 300 ms), so that they do not leave on an old view. A failing or
 * slow store is reported through `onShared` and the limiter goes on with what it knows.
 */
export function createAdaptiveLimiter(options: AdaptiveLimiterOptions): AdaptiveLimiter {
  const now = options.now ?? Date.now;
  const max = Math.max(1, options.max);
  const shared = options.shared;
  let limit = Math.min(INITIAL_LIMIT, max);
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  let throttled = 0;
  let pausedUntil = 0;
  let lastDecrease = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const waiting: { grant: () => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

  // The shared view: what the last successful read said, and when that read started and ended.
  let peers = 1;
  let seenEpoch: number | undefined;
  let viewStartedAt = Number.NEGATIVE_INFINITY;
  let viewAt = Number.NEGATIVE_INFINITY;
  let healthy = true;
  let closed = false;
  let reading: Promise<void> | undefined;
  let reads = 0;
  let readStartedAt = Number.NEGATIVE_INFINITY;
  // Publications started, and those still under way: a read overlapping one may or may not show it.
  let published = 0;
  let publishing = 0;
  let lastActivity = Number.NEGATIVE_INFINITY;
  let loop: NodeJS.Timeout | undefined;
  // Set while requests wait for a consultation of the shared state; the timer bounds the wait.
  let consulting: NodeJS.Timeout | undefined;
  let consultAfter = 0;

  const report = (event: SharedThrottleEvent) => {
    if (event.ok === healthy) return;
    healthy = event.ok;
    options.onShared?.(event);
  };

  const decrease = (t: number): boolean => {
    if (t < lastDecrease + DECREASE_SPACING_MS) return false;
    limit = Math.max(1, limit / 2);
    lastDecrease = t;
    return true;
  };

  const apply = (view: ThrottleView, epochCurrent: boolean) => {
    const t = now();
    if (view.pauseMs > 0) pausedUntil = Math.max(pausedUntil, t + view.pauseMs);
    peers = Math.max(1, view.peers);
    // A read overlapping one of our own publications may show our halving as if it were news: its epoch
    // is left aside (the next read tells).
    if (!epochCurrent) return;
    if (seenEpoch === undefined || view.epoch < seenEpoch) {
      // The first view (history, not news), or a store that lost its state: start from what it says.
      seenEpoch = view.epoch;
    } else if (view.epoch > seenEpoch) {
      seenEpoch = view.epoch;
      decrease(t);
    }
  };

  const read = (): Promise<void> => {
    if (!shared || closed) return Promise.resolve();
    if (reading) return reading;
    const id = ++reads;
    const started = now();
    const quiet = publishing === 0;
    const publishedBefore = published;
    readStartedAt = started;
    reading = withTimeout(shared.read(), SHARED_TIMEOUT_MS)
      .then(
        (view) => {
          if (closed) return;
          report({ ok: true });
          apply(view, quiet && publishing === 0 && published === publishedBefore);
          viewStartedAt = Math.max(viewStartedAt, started);
          viewAt = now();
        },
        (error: unknown) => {
          if (!closed) report({ ok: false, error });
        },
      )
      .finally(() => {
        reading = undefined;
        if (!consulting) return;
        // A read that started before the consultation was asked for does not answer it: read again.
        if (id > consultAfter) endConsultation();
        else void read();
      });
    return reading;
  };

  const publish = (pauseMs: number, decreased: boolean) => {
    if (!shared || closed) return;
    const knownEpoch = seenEpoch ?? 0;
    published++;
    publishing++;
    withTimeout(shared.publish({ pauseMs, decrease: decreased, knownEpoch }), SHARED_TIMEOUT_MS).then(
      (epoch) => {
        publishing--;
        if (closed) return;
        report({ ok: true });
        // Our own halving: not news when it comes back in a read.
        if (decreased) seenEpoch = Math.max(seenEpoch ?? 0, epoch);
      },
      (error: unknown) => {
        publishing--;
        if (!closed) report({ ok: false, error });
      },
    );
  };

  /** Keeps the view fresh while the tenant is busy; stops after IDLE_MS without requests. */
  const keepFresh = () => {
    if (!shared || closed || loop) return;
    const tick = () => {
      loop = undefined;
      if (closed) return;
      if (inFlight === 0 && waiting.length === 0 && now() - lastActivity > IDLE_MS) return;
      if (now() - readStartedAt >= (healthy ? shared.refreshMs : OUTAGE_RETRY_MS)) void read();
      loop = setTimeout(tick, shared.refreshMs);
      loop.unref();
    };
    loop = setTimeout(tick, shared.refreshMs);
    loop.unref();
  };

  /**
   * Whether a request must wait for a fresh read first: after an idle spell (the view is old), or when a
   * pause has ended that the view predates (another process may have been told to wait longer).
   */
  const mustConsult = (t: number): boolean =>
    shared !== undefined &&
    !closed &&
    healthy &&
    (t - viewAt > STALE_MS || (pausedUntil > viewStartedAt && t >= pausedUntil));

  const consult = () => {
    if (consulting) return;
    consultAfter = reads;
    consulting = setTimeout(() => {
      // No answer in time: the requests go on what is known, as if the store had had no news.
      const t = now();
      viewAt = Math.max(viewAt, t);
      viewStartedAt = Math.max(viewStartedAt, t);
      endConsultation();
    }, CONSULT_WAIT_MS);
    consulting.unref();
    // A read under way answers only if it started after this point: its end starts another otherwise.
    if (!reading) void read();
  };

  function endConsultation() {
    if (!consulting) return;
    clearTimeout(consulting);
    consulting = undefined;
    drain();
  }

  const drain = () => {
    if (consulting) return;
    const t = now();
    const wait = pausedUntil - t;
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
    if (waiting.length > 0 && mustConsult(t)) {
      consult();
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
      lastActivity = t;
      if (outcome.throttled) {
        throttled++;
        const decreased = decrease(t);
        const pauseMs = outcome.retryAfterMs ?? 1_000;
        pausedUntil = Math.max(pausedUntil, t + pauseMs);
        publish(pauseMs, decreased);
      } else {
        limit = Math.min(max, limit + 1 / (limit * peers));
      }
      drain();
    };
  };

  return {
    acquire(signal) {
      const t = now();
      lastActivity = t;
      keepFresh();
      if (
        waiting.length === 0 &&
        !consulting &&
        inFlight < Math.floor(limit) &&
        t >= pausedUntil &&
        !mustConsult(t)
      ) {
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
      peers,
    }),
    close() {
      closed = true;
      clearTimeout(loop);
      loop = undefined;
      endConsultation();
    },
  };
}
