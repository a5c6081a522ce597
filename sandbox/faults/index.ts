import { createPrng, type Prng } from './prng.ts';
import {
  type FaultSettings,
  isProfileName,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
  parseFaultSettings,
} from './settings.ts';
import { Buckets, limitsFor, type ThrottleRequest } from './throttle.ts';

export { faultRoutes } from './routes.ts';
export type { FaultSettings, ProfileName } from './settings.ts';
export { FaultSettingsError, PROFILE_NAMES, PROFILES } from './settings.ts';

/** What the engine decided for one Graph request. */
export interface FaultPlan {
  latencyMs: number;
  /** 429: Graph's throttling answer. */
  throttle: { retryAfterSeconds: number; limit: string } | null;
  /** A transient 5xx, before the handler runs or (writes only) after it applied the change. */
  transient: { status: 500 | 502 | 503 | 504; retryAfterSeconds: number | null; afterCommit: boolean } | null;
}

/** How many faults were served since the last (re)configuration. */
export interface FaultCounters {
  requests: number;
  throttled: number;
  throttledByLimit: Record<string, number>;
  transient: number;
  transientByStatus: Record<string, number>;
  transientAfterCommit: number;
  replicationLag: number;
  latencyMs: { total: number; max: number };
}

export interface FaultSnapshot {
  profile: ProfileName;
  profiles: ProfileName[];
  /** Settings differ from the profile's (explicit fields were given). */
  customized: boolean;
  settings: FaultSettings;
  counters: FaultCounters;
  since: string;
}

/** Fault injection (throttling, replication lag, transient errors, latency) for the Graph routes. */
export interface FaultEngine {
  readonly profile: ProfileName;
  settings(): FaultSettings;
  /**
   * Applies `{profile?, seed?, …sections}`; the PRNG is reseeded, buckets and counters start afresh.
   * @throws FaultSettingsError on unknown or out-of-range settings.
   */
  configure(input: unknown): FaultSnapshot;
  /** Decides latency, throttling and transient errors for a Graph request (in arrival order). */
  plan(request: ThrottleRequest & { now?: number }): FaultPlan;
  /** How long a group created now stays "replicating". */
  replicationLagMs(): number;
  /** How long an async operation started now takes to succeed. */
  operationDurationMs(): number;
  /** Counts a 404 served because a group was still replicating. */
  countReplicationLag(): void;
  /** Counts an after-commit transient error once it replaced a successful answer. */
  countAfterCommit(transient: NonNullable<FaultPlan['transient']>): void;
  snapshot(): FaultSnapshot;
}

function emptyCounters(): FaultCounters {
  return {
    requests: 0,
    throttled: 0,
    throttledByLimit: {},
    transient: 0,
    transientByStatus: {},
    transientAfterCommit: 0,
    replicationLag: 0,
    latencyMs: { total: 0, max: 0 },
  };
}

function sampleLatency(settings: FaultSettings['latency'], u1: number, u2: number): number {
  const { minMs, maxMs } = settings;
  switch (settings.distribution) {
    case 'none':
      return 0;
    case 'fixed':
      return minMs;
    case 'uniform':
      return Math.round(minMs + u1 * (maxMs - minMs));
    case 'normal': {
      // Box–Muller around the middle of the range, ±3σ spanning it, clamped.
      const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      const value = (minMs + maxMs) / 2 + (z * (maxMs - minMs)) / 6;
      return Math.round(Math.min(maxMs, Math.max(minMs, value)));
    }
  }
}

/**
 * The fault engine for a profile name (`none`, `realistic`, `strict`).
 * @throws Error naming the profiles when `profile` is unknown.
 */
export function createFaultEngine(profile: string): FaultEngine {
  if (!isProfileName(profile)) {
    throw new Error(
      `SANDBOX_FAULTS: unknown fault profile "${profile}" (expected ${PROFILE_NAMES.join(', ')})`,
    );
  }
  let current: { profile: ProfileName; settings: FaultSettings; customized: boolean } = {
    profile,
    settings: structuredClone(PROFILES[profile]),
    customized: false,
  };
  let latencyPrng: Prng;
  let requestPrng: Prng;
  let timingPrng: Prng;
  let counters: FaultCounters;
  let since: Date;
  const buckets = new Buckets();
  /** Injected failures in a row per call (app, method, URL), to let a retried call through. */
  const consecutive = new Map<string, number>();

  const reset = () => {
    // Three streams, so that one kind of draw never shifts another: transient errors replay the same for
    // the same sequence of admitted requests, however many were throttled or how many groups were made.
    requestPrng = createPrng(current.settings.seed);
    latencyPrng = createPrng(current.settings.seed ^ 0x1b873593);
    timingPrng = createPrng(current.settings.seed ^ 0x5bd1e995);
    counters = emptyCounters();
    since = new Date();
    buckets.clear();
    consecutive.clear();
  };
  reset();

  const snapshot = (): FaultSnapshot => ({
    profile: current.profile,
    profiles: [...PROFILE_NAMES],
    customized: current.customized,
    settings: structuredClone(current.settings),
    counters: structuredClone(counters),
    since: since.toISOString(),
  });

  const countTransient = (transient: NonNullable<FaultPlan['transient']>) => {
    counters.transient++;
    counters.transientByStatus[transient.status] = (counters.transientByStatus[transient.status] ?? 0) + 1;
    if (transient.afterCommit) counters.transientAfterCommit++;
  };

  const uniform = (prng: Prng, range: { minMs: number; maxMs: number }) =>
    Math.round(range.minMs + prng.next() * (range.maxMs - range.minMs));

  return {
    get profile() {
      return current.profile;
    },
    settings: () => structuredClone(current.settings),
    configure(input) {
      current = parseFaultSettings(input, current);
      reset();
      return snapshot();
    },
    plan(request) {
      const now = request.now ?? Date.now();
      const s = current.settings;
      counters.requests++;
      const latencyMs = sampleLatency(s.latency, latencyPrng.next(), latencyPrng.next());
      counters.latencyMs.total += latencyMs;
      counters.latencyMs.max = Math.max(counters.latencyMs.max, latencyMs);
      const plan: FaultPlan = { latencyMs, throttle: null, transient: null };

      if (s.throttling.enabled) {
        const throttled = buckets.take(
          limitsFor(request, s.throttling.tenantPerSecond),
          s.throttling.factor,
          now,
        );
        if (throttled) {
          counters.throttled++;
          const name = throttled.limit.name;
          counters.throttledByLimit[name] = (counters.throttledByLimit[name] ?? 0) + 1;
          plan.throttle = { retryAfterSeconds: throttled.retryAfterSeconds, limit: name };
          return plan;
        }
      }

      // A fixed number of draws per admitted request keeps the sequence aligned whatever is decided.
      const [roll, pick, commitRoll] = [requestPrng.next(), requestPrng.next(), requestPrng.next()];
      const key = `${request.tenantId} ${request.appId} ${request.method} ${request.route} ${JSON.stringify(request.params)}`;
      const inARow = consecutive.get(key) ?? 0;
      if (roll < s.transient.rate && inARow < s.transient.maxConsecutive) {
        // Calls that failed and were never retried must not pile up for ever.
        if (consecutive.size > 10_000) consecutive.clear();
        consecutive.set(key, inARow + 1);
        const status = s.transient.statuses[Math.floor(pick * s.transient.statuses.length)] ?? 503;
        // A 503 is refused at the door; 500/502/504 on a write may come after the write landed.
        const afterCommit =
          request.method !== 'GET' && status !== 503 && commitRoll < s.transient.afterCommitShare;
        plan.transient = {
          status,
          retryAfterSeconds: status === 503 || status === 504 ? s.transient.retryAfterSeconds : null,
          afterCommit,
        };
        // After-commit failures count once served: a write that failed on its own keeps its own answer.
        if (!afterCommit) countTransient(plan.transient);
      } else {
        consecutive.delete(key);
      }
      return plan;
    },
    replicationLagMs: () => uniform(timingPrng, current.settings.replicationLag),
    operationDurationMs: () => uniform(timingPrng, current.settings.operations),
    countReplicationLag() {
      counters.replicationLag++;
    },
    countAfterCommit(transient) {
      countTransient(transient);
    },
    snapshot,
  };
}
