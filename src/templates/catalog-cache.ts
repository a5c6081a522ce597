import { createHash, randomInt } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../cache/index.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { Logger } from '../telemetry/index.ts';

/** Bounds staleness should an invalidation be lost (cache outage, counter evicted), and memory. */
const ENTRY_TTL_MS = 5 * 60_000;
/** Outlives every entry by far: entries written before the counter existed are gone when it expires. */
const GENERATION_TTL_MS = 24 * 3600_000;
/** Larger answers are not cached (a page of very large documents): they would crowd the cache out. */
const MAX_ENTRY_CHARS = 4 * 1024 * 1024;
/** Entries each process keeps parsed beside the shared cache (see `near` below). */
const NEAR_ENTRIES = 500;

/** Cached reads of one tenant's catalog, all of one generation (read once per operation). */
export interface CatalogSnapshot {
  /** The cached answer of `kind` for `parts`, else `load()`'s, which is then kept. */
  read<T>(kind: string, parts: unknown, load: () => Promise<T>): Promise<T>;
}

/**
 * Templates and metadata fields of each tenant, cached in the shared `Cache` (Redis across
 * instances, else in-process) under a per-tenant generation counter: a change on any instance
 * increments it once committed, after which every instance reads new keys. Only answers that do not
 * depend on the caller belong here; audience filtering happens after the cache.
 */
export interface CatalogCache {
  /** Reads of `tenantId` at its current generation. */
  open(tenantId: string): Promise<CatalogSnapshot>;
  /** Makes every cached read of the tenant stale, on every instance; call after the change committed. */
  invalidate(tenantId: string): Promise<void>;
}

const generationKey = (tenantId: string) => `catalog:generation:${tenantId}`;

/** Builds the catalog cache over `cache`; without one, reads always load (nothing is kept). */
export function createCatalogCache(options: {
  cache: Cache | undefined;
  log: Logger;
  ttlMs?: number;
}): CatalogCache {
  const { cache, log } = options;
  const ttlMs = options.ttlMs ?? ENTRY_TTL_MS;
  const direct: CatalogSnapshot = { read: (_kind, _parts, load) => load() };
  if (!cache) return { open: async () => direct, invalidate: async () => {} };
  // Parsed, frozen copies of entries this process read, keyed as in the shared cache: the key holds
  // the generation, which `open` reads from the shared cache, so a change on any instance still
  // retires them at once. A catalog read then fetches and parses one small counter instead of the
  // whole answer (parsing the cached catalog was 12 % of a read's CPU).
  const near = new LRUCache<string, { v: unknown }>({ max: NEAR_ENTRIES, ttl: ttlMs });

  return {
    async open(tenantId) {
      let generation: number;
      try {
        generation = (await cache.get<number>(generationKey(tenantId))) ?? 0;
      } catch (error) {
        // A cache outage only costs database reads.
        log.debug({ err: error, tenantId }, 'catalog cache unavailable');
        return direct;
      }
      return {
        async read<T>(kind: string, parts: unknown, load: () => Promise<T>): Promise<T> {
          const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
          const key = `catalog:${tenantId}:${generation}:${kind}:${digest}`;
          const close = near.get(key);
          if (close) return close.v as T;
          try {
            // Wrapped, so that a cached null (not found) is told from a miss.
            const hit = await cache.get<{ v: T }>(key);
            if (hit !== undefined) {
              near.set(key, deepFreeze(hit));
              return hit.v;
            }
          } catch (error) {
            log.debug({ err: error, tenantId }, 'catalog cache read failed');
          }
          const wrapped = deepFreeze({ v: await load() });
          if (JSON.stringify(wrapped).length <= MAX_ENTRY_CHARS) {
            near.set(key, wrapped);
            await cache.set(key, wrapped, ttlMs).catch((error: unknown) => {
              log.debug({ err: error, tenantId }, 'catalog cache write failed');
            });
          }
          return wrapped.v;
        },
      };
    },

    async invalidate(tenantId) {
      try {
        // A random step: when the counter expires and starts again, it does not come back to a
        // generation whose entries may still be cached.
        await cache.increment(generationKey(tenantId), GENERATION_TTL_MS, randomInt(1, 2 ** 31));
      } catch (error) {
        // The change is committed; readers may see the previous catalog until entries expire.
        log.error({ err: error, tenantId }, 'catalog cache invalidation failed');
      }
    },
  };
}
