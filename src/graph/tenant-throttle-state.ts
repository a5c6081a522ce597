import type { Cache } from '../cache/index.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { SharedThrottleEvent } from './adaptive-limiter.ts';
import { createCacheThrottleState } from './tenant-throttle-state-cache.ts';
import { createPostgresThrottleState } from './tenant-throttle-state-postgres.ts';

/** One tenant's Graph throttling as the processes share it, seen from one process. */
export interface ThrottleView {
  /** How much longer the tenant is paused (ms from now; 0 when it is not). */
  pauseMs: number;
  /** Halvings published so far: one greater than the last seen means "halve once". */
  epoch: number;
  /** Processes that sent Graph requests to the tenant in the last seconds, this one included (≥ 1). */
  peers: number;
}

/** The shared throttling of one Microsoft 365 tenant, for this process's limiter of that tenant. */
export interface TenantThrottle {
  /** How often the limiter refreshes its view while the tenant is busy (ms). */
  readonly refreshMs: number;
  /** The current view; counts this process among the tenant's peers. @throws when the store fails */
  read(): Promise<ThrottleView>;
  /**
   * Publishes a 429: the tenant is paused `pauseMs` from now (a longer pause already published is kept)
   * and, with `decrease`, the epoch becomes at least `knownEpoch + 1`, so that processes halving on the
   * same burst of 429s publish one epoch, not one each. Resolves with the epoch now stored.
   * @throws when the store fails
   */
  publish(throttle: { pauseMs: number; decrease: boolean; knownEpoch: number }): Promise<number>;
}

/** Where the tenants' throttling lives: this process's memory, or Redis / PostgreSQL shared by all. */
export interface TenantThrottleState {
  readonly kind: 'memory' | 'redis' | 'postgres';
  tenant(entraTenantId: string): TenantThrottle;
}

/**
 * The throttle state of a process: Redis when the cache is Redis (one round trip of pipelined reads per
 * refresh), else PostgreSQL when the database is a server (a small platform-level table, migration
 * 0011), else this process's memory (embedded PGlite: one process, so nothing to share).
 */
export function createTenantThrottleState(deps: { cache: Cache; db: Db }): TenantThrottleState {
  if (deps.cache.name === 'redis') return createCacheThrottleState({ cache: deps.cache });
  if (deps.db.kind === 'postgres') return createPostgresThrottleState({ db: deps.db });
  return createCacheThrottleState({ cache: deps.cache });
}

/** A store's failure as it may be logged: its kind and message, with any credentials of a URL removed. */
export function describeStoreFailure(error: unknown): { type: string; code?: string; message: string } {
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return {
    type: typeof e?.name === 'string' ? e.name : typeof error,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@').slice(0, 300),
  };
}

/**
 * What the limiters report about the shared state, logged once per outage: a warning when it first
 * fails (every process then throttles on its own), a note when it answers again.
 */
export function logThrottleStateHealth(
  log: Logger,
  kind: TenantThrottleState['kind'],
): (event: SharedThrottleEvent) => void {
  let down = false;
  return (event) => {
    if (!event.ok && !down) {
      down = true;
      log.warn(
        { throttleState: kind, error: describeStoreFailure(event.error) },
        'Shared Graph throttle state unavailable: each process throttles on its own until it answers again',
      );
    } else if (event.ok && down) {
      down = false;
      log.info({ throttleState: kind }, 'Shared Graph throttle state answers again');
    }
  };
}
