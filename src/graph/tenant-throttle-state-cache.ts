import type { Cache } from '../cache/index.ts';
import type { TenantThrottle, TenantThrottleState } from './tenant-throttle-state.ts';

/** Redis answers in well under a millisecond: a busy tenant's view is at most this old. */
const REFRESH_MS = 100;
/** Processes count themselves once per slot; the peers are those of this slot or the one before. */
const PEER_SLOT_MS = 2_000;
/** The epoch outlives any burst by far; should it expire, limiters start again from what they read. */
const EPOCH_TTL_MS = 24 * 3600_000;
/** Deadlines are in the publishing process's clock: one further than this says its clock is wrong. */
const MAX_PAUSE_MS = 10 * 60_000;

/**
 * The throttle state in the `Cache`: Redis shared by every process, or the process's own memory (then
 * the limiter behaves as without shared state: the only news it reads is its own). Per tenant, under
 * `graph:throttle:{entraTenantId}:`:
 *
 * - `pause`: the latest pause deadline published (epoch ms of the publisher's clock; processes are
 *   expected to keep their clocks synchronised, as Entra tokens already require), kept with `setIfGreater`
 *   so that a shorter Retry-After never shortens a longer one;
 * - `epoch`: the decrease epoch, raised with `setIfGreater` to the publisher's known epoch + 1;
 * - `peers:{slot}`: a counter each process increments once per 2-second slot in which it reads.
 *
 * A refresh is four reads sent together (one round trip on Redis's pipeline).
 */
export function createCacheThrottleState(options: {
  cache: Cache;
  now?: () => number;
  refreshMs?: number;
}): TenantThrottleState {
  const { cache } = options;
  const now = options.now ?? Date.now;
  const setIfGreater = async (key: string, value: number, ttlMs: number): Promise<number> => {
    if (cache.setIfGreater) return cache.setIfGreater(key, value, ttlMs);
    // A cache without the atomic operation: of two pauses published at once, the shorter may stay.
    const current = await cache.get<unknown>(key);
    if (typeof current === 'number' && current >= value) return current;
    await cache.set(key, value, ttlMs);
    return value;
  };
  return {
    kind: cache.name,
    tenant(entraTenantId): TenantThrottle {
      const key = (part: string) => `graph:throttle:${entraTenantId.toLowerCase()}:${part}`;
      let countedIn = Number.NaN;
      return {
        refreshMs: options.refreshMs ?? REFRESH_MS,
        async read() {
          const slot = Math.floor(now() / PEER_SLOT_MS);
          const [until, epoch, current, previous] = await Promise.all([
            cache.get<number>(key('pause')),
            cache.get<number>(key('epoch')),
            slot === countedIn
              ? cache.get<number>(key(`peers:${slot}`))
              : cache.increment(key(`peers:${slot}`), PEER_SLOT_MS * 3),
            cache.get<number>(key(`peers:${slot - 1}`)),
          ]);
          countedIn = slot;
          return {
            pauseMs: Math.min(MAX_PAUSE_MS, Math.max(0, (until ?? 0) - now())),
            epoch: epoch ?? 0,
            peers: Math.max(1, current ?? 0, previous ?? 0),
          };
        },
        async publish({ pauseMs, decrease, knownEpoch }) {
          const [, epoch] = await Promise.all([
            setIfGreater(key('pause'), now() + pauseMs, pauseMs + 1_000),
            decrease
              ? setIfGreater(key('epoch'), knownEpoch + 1, EPOCH_TTL_MS)
              : cache.get<number>(key('epoch')),
          ]);
          return epoch ?? 0;
        },
      };
    },
  };
}
