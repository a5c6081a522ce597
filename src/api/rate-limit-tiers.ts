import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../cache/index.ts';
import type { Db } from '../db/index.ts';
import { AppError, ErrorCode } from '../errors/index.ts';

/**
 * Requests per minute of one token or user, and of the whole tenant, by plan. Costly calls count
 * against a tighter budget of their own as well: writes (`config.cost: 'write'`) and searches.
 */
export const RATE_LIMIT_TIERS = {
  free: { perPrincipal: 60, perTenant: 180, writesPerPrincipal: 12, searchesPerPrincipal: 30 },
  standard: { perPrincipal: 600, perTenant: 3000, writesPerPrincipal: 120, searchesPerPrincipal: 300 },
  enterprise: { perPrincipal: 3000, perTenant: 15000, writesPerPrincipal: 600, searchesPerPrincipal: 1500 },
} as const;
export type RateLimitTier = keyof typeof RATE_LIMIT_TIERS;
export const DEFAULT_RATE_LIMIT_TIER: RateLimitTier = 'standard';
/** The tenant setting holding the tier (`"free"`, `"standard"`, `"enterprise"`). */
export const RATE_LIMIT_TIER_SETTING = 'api.rate_limit_tier';

const WINDOW_MS = 60_000;
/** A tier change shows within this time. */
const TIER_TTL_MS = 60_000;

const TIER = Symbol('trellis.rateLimitTier');
type WithTier = FastifyRequest & { [TIER]?: (typeof RATE_LIMIT_TIERS)[RateLimitTier] };

function isTier(value: unknown): value is RateLimitTier {
  return typeof value === 'string' && Object.hasOwn(RATE_LIMIT_TIERS, value);
}

/**
 * Per-principal and per-tenant limits on authenticated /api/v1 calls, sized by the tenant's tier,
 * in the store of the per-IP limiter build-app registers (Redis when configured, so instances
 * share counts). Runs as a preHandler, after authentication. Every such response carries the
 * `X-RateLimit-*` headers of the tighter limit; past it, 429 with `Retry-After`.
 */
export function installRateLimitTiers(api: FastifyInstance, deps: { db: Db; cache: Cache }): void {
  if (typeof api.createRateLimit !== 'function') {
    throw new Error('@fastify/rate-limit must be registered before the API (src/server/build-app.ts)');
  }
  const tierOf = async (tenantId: string) => {
    const key = `api:rate-limit-tier:${tenantId}`;
    let tier = await deps.cache.get<RateLimitTier>(key);
    if (!isTier(tier)) {
      const row = await deps.db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('tenant_settings')
          .select('value')
          .where('key', '=', RATE_LIMIT_TIER_SETTING)
          .executeTakeFirst(),
      );
      tier = isTier(row?.value) ? row.value : DEFAULT_RATE_LIMIT_TIER;
      await deps.cache.set(key, tier, TIER_TTL_MS);
    }
    return RATE_LIMIT_TIERS[tier];
  };

  const limitOf = (request: FastifyRequest) =>
    (request as WithTier)[TIER] ?? RATE_LIMIT_TIERS[DEFAULT_RATE_LIMIT_TIER];
  const principal = api.createRateLimit({
    timeWindow: WINDOW_MS,
    keyGenerator: (request) =>
      `principal:${request.caller?.tenantId}:${request.caller?.kind}:${request.caller?.id}`,
    max: (request) => limitOf(request).perPrincipal,
  });
  const tenant = api.createRateLimit({
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => `tenant:${request.caller?.tenantId}`,
    max: (request) => limitOf(request).perTenant,
  });
  const costly = api.createRateLimit({
    timeWindow: WINDOW_MS,
    keyGenerator: (request) =>
      `${request.routeOptions.config.cost}:${request.caller?.tenantId}:${request.caller?.kind}:${request.caller?.id}`,
    max: (request) =>
      request.routeOptions.config.cost === 'write'
        ? limitOf(request).writesPerPrincipal
        : limitOf(request).searchesPerPrincipal,
  });

  api.addHook('preHandler', async (request: WithTier, reply: FastifyReply) => {
    const caller = request.caller;
    if (!caller) return;
    request[TIER] = await tierOf(caller.tenantId);
    const cost = request.routeOptions.config.cost;
    const results = [await principal(request), await tenant(request)];
    if (cost === 'write' || cost === 'search') results.push(await costly(request));
    let binding: (typeof results)[number] | undefined;
    for (const result of results) {
      if (result.isAllowed) continue;
      if (result.isExceeded) {
        binding = result;
        break;
      }
      if (!binding || binding.isAllowed || result.remaining < binding.remaining) binding = result;
    }
    if (!binding || binding.isAllowed) return;
    reply.header('x-ratelimit-limit', binding.max);
    reply.header('x-ratelimit-remaining', binding.isExceeded ? 0 : binding.remaining);
    reply.header('x-ratelimit-reset', binding.ttlInSeconds);
    if (binding.isExceeded) {
      const which = binding.key.startsWith('tenant:')
        ? 'this tenant'
        : binding.key.startsWith('write:')
          ? 'writes by this caller'
          : binding.key.startsWith('search:')
            ? 'searches by this caller'
            : 'this caller';
      throw new AppError(
        ErrorCode.RateLimited,
        `Rate limit of ${binding.max} requests per minute for ${which} exceeded; retry in ${binding.ttlInSeconds} s`,
        { headers: { 'retry-after': String(Math.max(1, binding.ttlInSeconds)) } },
      );
    }
  });
}
