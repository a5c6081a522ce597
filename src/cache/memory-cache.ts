import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

/** In-process LRU; values are stored serialised so callers never share mutable objects. */
export function createMemoryCache(options: { max?: number } = {}): Cache {
  const lru = new LRUCache<string, string>({ max: options.max ?? 10_000, ttlAutopurge: false });
  return {
    name: 'memory',
    async get<T>(key: string) {
      const raw = lru.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlMs) {
      lru.set(key, JSON.stringify(value), { ttl: ttlMs });
    },
    async delete(key) {
      lru.delete(key);
    },
    async increment(key, ttlMs, by = 1) {
      const raw = lru.get(key);
      if (raw === undefined) {
        lru.set(key, JSON.stringify(by), { ttl: ttlMs });
        return by;
      }
      const next = (JSON.parse(raw) as number) + by;
      // Keep the original expiry: the counter's window does not slide.
      lru.set(key, JSON.stringify(next), { ttl: lru.getRemainingTTL(key) });
      return next;
    },
    async setIfGreater(key, value, ttlMs) {
      const raw = lru.get(key);
      const current = raw === undefined ? undefined : (JSON.parse(raw) as unknown);
      if (typeof current === 'number' && current >= value) return current;
      lru.set(key, JSON.stringify(value), { ttl: ttlMs });
      return value;
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
