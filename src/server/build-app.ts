import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance, type FastifyServerFactory, LogController } from 'fastify';
import { Redis } from 'ioredis';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { EnvelopeCipher, KeyProvider, SecretStore } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import { registerApi } from '../api/register-api.ts';
import { installEntryLock, registerNetworkPages } from '../network/index.ts';
import { registerBotRoute } from '../teams/index.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { Domain } from '../runtime/domain.ts';
import type { BlobStore } from '../storage/index.ts';
import {
  type Logger,
  registerHttpTelemetry,
  registerMetricsRoute,
  type Telemetry,
} from '../telemetry/index.ts';
import { registerErrorHandler, sendProblem } from './problem.ts';
import { createReadiness, type ReadinessCheck } from './readiness.ts';
import { healthRoutes } from './routes/health.ts';
import { homePage } from './routes/home-page.ts';
import { registerWebApp } from './routes/web-app.ts';
import { registerWebAuth } from './routes/web-auth.ts';
import { createWebSignIn } from '../identity/web-sign-in.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface AppDeps {
  config: Config;
  log: Logger;
  db: Db;
  cache: Cache;
  blobs: BlobStore;
  keys: KeyProvider;
  secrets?: SecretStore;
  cipher?: EnvelopeCipher;
  /** The domain services; without them only health and the home page are served (edge tests). */
  domain?: Domain;
  /** True once SIGTERM/SIGINT arrived: readiness fails at once. */
  isDraining: () => boolean;
  /** The process's traces and metrics (main.ts starts them); none: requests are not traced. */
  telemetry?: Telemetry;
}

export interface BuildOptions {
  /** main.ts passes the HTTPS (or loopback HTTP) server with its TLS policy and timeouts. */
  serverFactory?: FastifyServerFactory;
}

export type App = FastifyInstance & { readiness: ReadinessCheck };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
/** What a shed request gets: a 503 problem with Retry-After. */
class OverloadedError extends AppError {
  constructor() {
    super(ErrorCode.Unavailable, 'The service is overloaded; retry shortly', {
      headers: { 'retry-after': '10' },
    });
  }
}

/** Probes and scrapers that a TLS-terminating front may call over plain HTTP on loopback. */
const PLAIN_HTTP_ALLOWED = new Set(['/healthz', '/readyz', '/metrics']);

/** Builds the Fastify app; never listens (tests call `inject()`), main.ts owns the listener. */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      // Load-balancer probes arrive every few seconds from every probe location: keep them out of the logs.
      disableRequestLogging: (req: { url?: string }) =>
        PLAIN_HTTP_ALLOWED.has((req.url ?? '').split('?')[0] ?? ''),
    }),
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: config.timeouts.requestMs,
    connectionTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  }) as unknown as FastifyInstance;

  // <telemetry: a span and a duration per request, before any other hook runs>
  if (deps.telemetry?.tracing || deps.telemetry?.metrics) registerHttpTelemetry(app);
  registerErrorHandler(app);
  // <network: the single entry point (X-Azure-FDID, allowed sources), before anything else runs>
  installEntryLock(app, config);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.protocol === 'https' || PLAIN_HTTP_ALLOWED.has(request.url.split('?')[0] ?? '')) return;
    // Behind a TLS-terminating proxy that forwarded a plain-HTTP request: pages may be redirected,
    // the API never is (a redirect would have already leaked the token over HTTP).
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/');
    if (isPage) return reply.redirect(`${config.publicUrl}${request.url}`, 308);
    return sendProblem(request, reply, errors.httpsRequired());
  });

  // In embedded mode the sandbox's Teams client frames the tabs, as Teams does in production.
  const teamsHosts =
    config.m365.mode === 'sandbox' && config.m365.tenantId ? [new URL(config.m365.authorityHost).origin] : [];
  await registerSecurityHeaders(app, { hsts: true, extraFrameAncestors: teamsHosts });

  await app.register(cors, {
    origin: (origin, cb) => {
      // Same-origin and non-browser requests carry no Origin; others must be listed.
      cb(null, origin !== undefined && config.corsOrigins.includes(origin));
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id'],
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'location',
      'etag',
      'idempotent-replayed',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ],
    credentials: false,
    maxAge: 600,
  });

  // Load shedding: past these, requests get 503 + Retry-After at once instead of queueing (the
  // liveness probe excepted: a busy process is not a dead one).
  await app.register(underPressure, {
    maxEventLoopDelay: config.loadShedEventLoopDelayMs,
    // Shed load before the heap runs out, rather than crash with every request in flight.
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    // One-second samples (the plugin's default); shorter for thresholds below a second.
    sampleInterval: Math.min(1000, Math.max(10, config.loadShedEventLoopDelayMs)),
    retryAfter: 10,
    customError: OverloadedError,
    exposeStatusRoute: false,
  });

  const rateLimitRedis = config.redisUrl
    ? new Redis(config.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  if (rateLimitRedis) {
    rateLimitRedis.on('error', () => {});
    app.addHook('onClose', async () => {
      await rateLimitRedis.quit().catch(() => rateLimitRedis.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    // Shared across instances when Redis is configured; per-process otherwise.
    ...(rateLimitRedis ? { redis: rateLimitRedis, nameSpace: 'trellis:rl:' } : {}),
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(ErrorCode.RateLimited, `Rate limit of ${context.max} requests per minute exceeded`, {
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });

  const readiness = createReadiness({
    isDraining: deps.isDraining,
    probes: {
      database: () => deps.db.ping(),
      cache: () => deps.cache.ping(),
      keys: () => deps.keys.ping(),
    },
    // Key Vault throttles: probe dependencies at most every 5 s whatever the probe rate.
    cacheMs: deps.keys.name === 'keyvault' ? 5000 : 1000,
  });

  await app.register(healthRoutes, { readiness });
  await app.register(homePage);
  // <telemetry: Prometheus scrapes with METRICS_TOKEN>
  await registerMetricsRoute(app, { token: config.telemetry.metricsToken, telemetry: deps.telemetry });
  if (deps.domain && deps.secrets && deps.cipher) {
    const { config: c, log, db, cache, blobs, secrets, cipher, domain } = deps;
    await registerApi(app, { config: c, log, db, cache, blobs, secrets, cipher, domain });
    // <network: proxy.pac, flow diagram, network page, security.txt>
    await registerNetworkPages(app, c);
    // <teams: the bot's messaging endpoint>
    await registerBotRoute(app, domain.teams);
    // <web: browser sign-in for the tabs outside Teams>
    await registerWebAuth(app, createWebSignIn({ config: c, cache, cipher, log }));
  }
  // <web: the tabs (single-page app) and its assets>
  await registerWebApp(app, { teamsHosts });

  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) =>
    sendProblem(request, reply, errors.notFound(`Route ${request.method} ${request.url.split('?')[0]}`)),
  );

  return Object.assign(app, { readiness }) as App;
}
