import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { Telemetry } from './otel.ts';

/** What Prometheus expects (text exposition format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Scrapes a minute at most per client address: plenty for any scrape interval, little for guessing. */
const SCRAPES_PER_MINUTE = 120;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether an Authorization header carries the token; constant time whatever the lengths. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  // Hashing both sides makes the comparison length-independent.
  return timingSafeEqual(digest(given ?? ''), expected) && given !== undefined;
}

/**
 * `GET /metrics` in Prometheus text format, for a scraper holding `METRICS_TOKEN` as a bearer
 * token. Without a token configured the route does not exist (404): metrics are never public. A wrong
 * or missing token gets 401. Exempt from load shedding (metrics matter most under load); limited per
 * client address apart from the global limit, so API traffic from the same address never starves it.
 */
export async function registerMetricsRoute(
  app: FastifyInstance,
  deps: { token: string | undefined; telemetry: Telemetry | undefined },
): Promise<void> {
  const { token, telemetry } = deps;
  if (!token) return;
  const expected = digest(token);
  app.get(
    '/metrics',
    {
      config: {
        rateLimit: { max: SCRAPES_PER_MINUTE, timeWindow: 60_000 },
        pressureHandler: () => undefined,
      },
      schema: { hide: true },
    },
    async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, expected)) {
        throw new AppError(ErrorCode.Unauthorized, 'A valid metrics token is required', {
          headers: { 'www-authenticate': 'Bearer realm="metrics"' },
        });
      }
      const text = telemetry ? await telemetry.prometheusText() : null;
      if (text === null) throw errors.unavailable('Metrics are not collected in this process');
      reply.header('cache-control', 'no-store');
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
    },
  );
}
