import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

// Compare and set in one step: of two processes raising a value at once, the greater one stays. Replies
// are strings (Lua numbers would come back as truncated integers).
const SET_IF_GREATER = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current ~= nil and current >= tonumber(ARGV[1]) then
  return tostring(current)
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/** Shared cache in Redis; keys are namespaced so several deployments can share a server. */
export function createRedisCache(url: string, options: { prefix?: string } = {}): Cache {
  const prefix = options.prefix ?? 'trellis:';
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 5000,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  redis.on('error', () => {
    // Connection errors surface through ping() (readiness) and failed calls; no crash, no log of the URL.
  });
  const k = (key: string) => prefix + key;
  return {
    name: 'redis',
    async get<T>(key: string) {
      const raw = await redis.get(k(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlMs) {
      await redis.set(k(key), JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async increment(key, ttlMs, by = 1) {
      const [[, value] = []] =
        (await redis
          .multi()
          .incrby(k(key), by)
          .pexpire(k(key), Math.max(1, Math.round(ttlMs)), 'NX')
          .exec()) ?? [];
      return Number(value);
    },
    async setIfGreater(key, value, ttlMs) {
      const stored = await redis.eval(
        SET_IF_GREATER,
        1,
        k(key),
        JSON.stringify(value),
        String(Math.max(1, Math.round(ttlMs))),
      );
      return Number(stored);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
