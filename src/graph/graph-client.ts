import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';
import type { Config } from '../config.ts';
import { errors } from '../errors/index.ts';
import { createMsalNetworkClient } from '../identity/index.ts';
import { graphUrlTemplate, type Logger, startClientSpan } from '../telemetry/index.ts';
import { type AdaptiveLimiter, createAdaptiveLimiter, type LimiterStats } from './adaptive-limiter.ts';
import { GraphError } from './graph-error.ts';
import { EVENTUAL_CONSISTENCY, type GraphQuery, toQueryString } from './graph-query.ts';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  type GraphRetryPolicy,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
} from './graph-retry.ts';
import { createGraphTokenProvider, type GraphTokenProvider } from './graph-token-provider.ts';
import { logThrottleStateHealth, type TenantThrottleState } from './tenant-throttle-state.ts';

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Options of one Graph call. */
export interface GraphRequestOptions<T = unknown> {
  query?: GraphQuery;
  /** JSON-serialised unless a string or bytes (then sent as given, with the caller's content-type). */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /** Sends `ConsistencyLevel: eventual` (advanced directory queries: $search, $count, `ne` …). */
  eventual?: boolean;
  /**
   * The caller vouches that sending this POST/PATCH twice does no harm, so a doubtful failure
   * (500/502/504, timeout, reset connection) is resent like a GET.
   */
  idempotent?: boolean;
  /**
   * Look before (re)creating: after a doubtful failure of a POST/PATCH, called before resending.
   * What it finds is the call's result; `undefined` means "not there, send again".
   */
  findExisting?: () => Promise<T | undefined>;
  /** Overrides of the client's retry policy for this call (e.g. a longer budget in a durable job). */
  retry?: Partial<GraphRetryPolicy>;
  /**
   * Called before every attempt (the first and each resend); throwing stops the call. A durable job
   * checks here that it still owns its work before a write leaves.
   */
  beforeAttempt?: () => void;
  /** How to read a successful body: JSON (default when the content type says so), text or bytes. */
  responseType?: 'json' | 'text' | 'bytes';
}

/** A successful answer with what callers sometimes need besides the body (202's Location). */
export interface GraphResponse<T> {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: T;
  requestId: string | null;
}

/** Graph calls in one Entra tenant, app-only. */
export interface TenantGraph {
  readonly tenantId: string;
  /**
   * One call; the parsed body (undefined when empty).
   * @throws GraphError once retries are spent or when the failure is not retryable.
   */
  request<T>(method: GraphMethod, path: string, options?: GraphRequestOptions<T>): Promise<T>;
  /** As `request`, with status and headers. @throws GraphError */
  send<T>(method: GraphMethod, path: string, options?: GraphRequestOptions<T>): Promise<GraphResponse<T>>;
  /** Every item of a collection, page after page (`@odata.nextLink`). @throws GraphError */
  list<T>(path: string, query?: GraphQuery, options?: GraphRequestOptions): AsyncIterable<T>;
  /** Collects `list` (at most `max` items). @throws GraphError */
  all<T>(path: string, query?: GraphQuery, options?: GraphRequestOptions & { max?: number }): Promise<T[]>;
}

/** The one Microsoft Graph client of a Trellis process. */
export interface GraphClient {
  /** Graph root with version, e.g. https://graph.microsoft.com/v1.0. */
  readonly baseUrl: string;
  forTenant(entraTenantId: string): TenantGraph;
  /**
   * Graph as the signed-in user whose access token for Trellis's API is `assertion` (on-behalf-of),
   * with the delegated `scopes` (`Team.ReadBasic.All` …): where the user's own rights must decide,
   * not Trellis's application permissions. Shares the tenant's limiter. A token Entra refuses for
   * want of consent fails as GraphError(403, ConsentRequired) without a retry.
   */
  forUser(entraTenantId: string, assertion: string, scopes: readonly string[]): TenantGraph;
  /** What the tenant's adaptive concurrency limiter has seen (requests, 429s, current limit). */
  stats(entraTenantId: string): LimiterStats;
  /**
   * An app-only token of Trellis's app registration in the tenant for another resource (the Bot
   * Connector's `https://api.botframework.com/.default`), from the same MSAL client.
   */
  accessToken(entraTenantId: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

export interface GraphClientOptions {
  config: Config;
  log: Logger;
  /** Replaces the HTTP dispatcher (tests count requests through one); the client then does not close it. */
  dispatcher?: Dispatcher;
  /** Replaces token acquisition (tests); MSAL client credentials otherwise. */
  tokens?: GraphTokenProvider;
  retry?: Partial<GraphRetryPolicy>;
  /** Requests in flight per tenant at most (default GRAPH_MAX_CONCURRENCY). */
  maxConcurrency?: number;
  /**
   * Each tenant's throttling shared with the other processes (pause until Retry-After, synchronised
   * halving, peers): `createTenantThrottleState`. Without it each tenant's limiter is this process's alone.
   */
  throttle?: TenantThrottleState;
}

const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** Where a call goes: the tenant (its limiter) and how its bearer token is obtained. */
interface GraphTarget {
  tenantId: string;
  token(): Promise<string>;
}

const DOUBTFUL = new Set([500, 502, 504]);
// 429 and 503 mean "not processed": safe to resend whatever the method.
const NOT_PROCESSED = new Set([429, 503]);
const MAX_REDIRECTS = 5;
// Local failures that no retry can mend.
const FINAL_CODES = new Set(['NotConfigured', 'Aborted', 'ForeignUrl', 'InsecureRedirect']);

function cancelled(where: { method: string; path: string }, cause: unknown): GraphError {
  return new GraphError({ status: 0, code: 'Aborted', message: 'the call was cancelled', ...where, cause });
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: Record<string, unknown> };
}

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function pathOnly(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '[unparseable]';
  }
}

function errorFromResponse(
  status: number,
  headers: Record<string, string>,
  text: string,
  method: string,
  url: string,
): GraphError {
  let parsed: GraphErrorBody = {};
  try {
    parsed = JSON.parse(text) as GraphErrorBody;
  } catch {
    // a gateway's HTML page: keep the status
  }
  const inner = parsed.error?.innerError ?? {};
  const innerId = inner['request-id'] ?? inner['requestId'];
  return new GraphError({
    status,
    code: parsed.error?.code ?? `HTTP${status}`,
    message: parsed.error?.message ?? (text.slice(0, 200) || 'no error body'),
    requestId: headers['request-id'] ?? (typeof innerId === 'string' ? innerId : null),
    retryAfterMs: parseRetryAfter(headers['retry-after']),
    method,
    path: pathOnly(url),
  });
}

function bodyFor(body: unknown): { payload: string | Uint8Array | undefined; json: boolean } {
  if (body === undefined) return { payload: undefined, json: false };
  if (typeof body === 'string' || body instanceof Uint8Array) return { payload: body, json: false };
  return { payload: JSON.stringify(body), json: true };
}

/**
 * Creates the Graph client: app-only tokens per Entra tenant (MSAL, cached by MSAL in memory —
 * never in the shared cache, which is no place for bearer tokens), undici with the configured
 * extra CA besides the public roots, Retry-After honoured, backoff with jitter for transient
 * failures of idempotent calls, OData paging, and every failure as one GraphError.
 * @throws AppError(config_invalid) when M365_CA_FILE cannot be read.
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { config, log } = options;
  const m365 = config.m365;
  let ca: string | undefined;
  if (m365.caFile) {
    try {
      ca = readFileSync(m365.caFile, 'utf8');
    } catch (cause) {
      throw errors.config('M365_CA_FILE', `cannot be read (${(cause as Error).message})`);
    }
  }
  const ownDispatcher = options.dispatcher
    ? undefined
    : new Agent({ ...(ca ? { connect: { ca: [...rootCertificates, ca] } } : {}) });
  const dispatcher: Dispatcher = options.dispatcher ?? (ownDispatcher as Agent);
  const network = options.tokens ? undefined : createMsalNetworkClient(ca ? { ca } : {});
  const tokens =
    options.tokens ?? createGraphTokenProvider({ m365, network: network as NonNullable<typeof network> });
  const baseUrl = `${m365.graphBaseUrl.replace(/\/+$/, '')}/v1.0`;
  const origin = new URL(baseUrl).origin;
  const basePolicy: GraphRetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const tenants = new Map<string, TenantGraph>();
  const limiters = new Map<string, AdaptiveLimiter>();
  const throttle = options.throttle;
  const onShared = throttle ? logThrottleStateHealth(log, throttle.kind) : undefined;
  const limiterFor = (tenantId: string): AdaptiveLimiter => {
    let limiter = limiters.get(tenantId);
    if (!limiter) {
      limiter = createAdaptiveLimiter({
        max: options.maxConcurrency ?? config.provisioning.graphMaxConcurrency,
        ...(throttle ? { shared: throttle.tenant(tenantId), onShared } : {}),
      });
      limiters.set(tenantId, limiter);
    }
    return limiter;
  };

  const resolve = (path: string, query: GraphQuery | undefined): string => {
    let url: string;
    if (/^https:\/\//i.test(path)) {
      // Only Graph's own links (nextLink, Location) are followed with a bearer token.
      if (new URL(path).origin !== origin) {
        throw new GraphError({
          status: 0,
          code: 'ForeignUrl',
          message: 'refusing to send a token outside Graph',
        });
      }
      url = path;
    } else {
      if (!path.startsWith('/')) throw errors.internal(`Graph path must start with '/': ${path}`);
      url = /^\/(v1\.0|beta)\//.test(path) ? `${origin}${path}` : `${baseUrl}${path}`;
    }
    const qs = toQueryString(query);
    return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
  };

  interface Raw {
    status: number;
    headers: Record<string, string>;
    read: (type: 'json' | 'text' | 'bytes' | undefined) => Promise<unknown>;
  }

  /**
   * One HTTP exchange, following redirects of reads without the token (pre-authenticated URLs). Each
   * request is a CLIENT span (W3C `traceparent` sent along; Graph ignores it), ended once its body is read.
   */
  const exchange = async (
    method: GraphMethod,
    url: string,
    headers: Record<string, string>,
    payload: string | Uint8Array | undefined,
    signal: AbortSignal,
    attempt: number,
  ): Promise<Raw> => {
    let target = url;
    let sendHeaders = headers;
    for (let hop = 0; ; hop++) {
      const parsed = new URL(target);
      const span = startClientSpan({
        method,
        url: parsed,
        peer: 'microsoft-graph',
        template: parsed.origin === origin ? graphUrlTemplate(parsed.pathname) : '{download}',
        resendCount: attempt,
      });
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(target, {
          method,
          headers: { ...sendHeaders, ...span.headers },
          ...(payload === undefined ? {} : { body: payload }),
          signal,
          dispatcher,
        });
      } catch (error) {
        span.end({ error });
        throw error;
      }
      const resHeaders = headersOf(res.headers);
      const location = resHeaders['location'];
      if (
        method === 'GET' &&
        [301, 302, 303, 307, 308].includes(res.statusCode) &&
        location &&
        hop < MAX_REDIRECTS
      ) {
        await res.body.dump();
        span.end({ status: res.statusCode });
        const next = new URL(location, target);
        if (next.protocol !== 'https:') {
          throw new GraphError({
            status: res.statusCode,
            code: 'InsecureRedirect',
            message: 'redirect to plain HTTP refused',
          });
        }
        target = next.toString();
        // The download URL carries its own authorisation; the bearer token never follows it.
        const { authorization: _dropped, ...rest } = sendHeaders;
        sendHeaders = rest;
        continue;
      }
      const response = res;
      return {
        status: response.statusCode,
        headers: resHeaders,
        read: async (type) => {
          try {
            if (type === 'bytes') return new Uint8Array(await response.body.arrayBuffer());
            const text = await response.body.text();
            const isJson = /\bjson\b/i.test(resHeaders['content-type'] ?? '');
            if (type === 'text' || (type === undefined && !isJson)) return text === '' ? undefined : text;
            return text === '' ? undefined : (JSON.parse(text) as unknown);
          } finally {
            span.end({ status: response.statusCode });
          }
        },
      };
    }
  };

  const sendCall = async <T>(
    target: GraphTarget,
    method: GraphMethod,
    path: string,
    opts: GraphRequestOptions<T> = {},
  ): Promise<GraphResponse<T>> => {
    const policy: GraphRetryPolicy = { ...basePolicy, ...opts.retry };
    const url = resolve(path, opts.query);
    const where = { method, path: pathOnly(url) };
    const safeToResend = IDEMPOTENT_METHODS.has(method) || opts.idempotent === true;
    const { payload, json } = bodyFor(opts.body);
    const clientRequestId = randomUUID();
    const started = Date.now();
    let lastError: GraphError | undefined;

    for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
      if (opts.signal?.aborted) {
        throw cancelled(where, opts.signal.reason);
      }
      opts.beforeAttempt?.();
      let failure: GraphError;
      // Whether the request left for Graph: only then may a failure hide an applied write.
      let sent = false;
      try {
        const token = await target.token();
        const headers: Record<string, string> = {
          accept: 'application/json',
          'client-request-id': clientRequestId,
          'return-client-request-id': 'true',
          'user-agent': 'Trellis',
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...(opts.eventual ? EVENTUAL_CONSISTENCY : {}),
          ...opts.headers,
          authorization: `Bearer ${token}`,
        };
        let raw: Raw;
        const release = await limiterFor(target.tenantId)
          .acquire(opts.signal)
          .catch((cause: unknown) => {
            throw cancelled(where, cause);
          });
        // The attempt's timeout runs from when it leaves, not while it waits for a slot or a tenant's pause.
        const timeout = AbortSignal.timeout(policy.attemptTimeoutMs);
        const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
        sent = true;
        try {
          raw = await exchange(method, url, headers, payload, signal, attempt);
          release({
            throttled: raw.status === 429,
            retryAfterMs: raw.status === 429 ? parseRetryAfter(raw.headers['retry-after']) : null,
          });
        } catch (cause) {
          release({ throttled: false });
          if (cause instanceof GraphError) throw cause;
          const timedOut = timeout.aborted && !opts.signal?.aborted;
          if (opts.signal?.aborted) {
            throw cancelled(where, cause);
          }
          throw new GraphError({
            status: 0,
            code: timedOut ? 'Timeout' : 'NetworkError',
            message: timedOut
              ? `no answer within ${policy.attemptTimeoutMs} ms`
              : `${(cause as Error).message}${(cause as { code?: string }).code ? ` (${(cause as { code?: string }).code})` : ''}`,
            ...where,
            cause,
          });
        }
        if (raw.status < 300) {
          let body: unknown;
          try {
            body = await raw.read(opts.responseType);
          } catch (cause) {
            if (opts.signal?.aborted) {
              throw cancelled(where, cause);
            }
            throw new GraphError({
              status: 0,
              code: 'BodyUnreadable',
              message: (cause as Error).message,
              ...where,
              cause,
            });
          }
          return {
            status: raw.status,
            headers: raw.headers,
            body: body as T,
            requestId: raw.headers['request-id'] ?? null,
          };
        }
        const text = (await raw.read('text').catch(() => '')) as string | undefined;
        throw errorFromResponse(raw.status, raw.headers, text ?? '', method, url);
      } catch (cause) {
        if (!(cause instanceof GraphError)) throw cause;
        failure = cause;
      }
      const doubtful = sent && (failure.status === 0 || DOUBTFUL.has(failure.status));
      lastError = failure;

      const transient =
        NOT_PROCESSED.has(failure.status) || DOUBTFUL.has(failure.status) || failure.status === 0;
      if (!transient || FINAL_CODES.has(failure.graphCode)) throw failure;
      if (doubtful && !safeToResend) {
        if (!opts.findExisting) throw failure;
        // Look before creating again: the failed write may have been applied.
        const found = await opts.findExisting();
        if (found !== undefined) return { status: 200, headers: {}, body: found, requestId: null };
      }
      if (attempt + 1 >= policy.maxAttempts) break;
      const delay = failure.retryAfterMs ?? backoffDelay(attempt, policy);
      const elapsed = Date.now() - started;
      if (elapsed + delay > policy.maxTotalMs) {
        log.warn(
          {
            graph: {
              ...where,
              status: failure.status,
              code: failure.graphCode,
              requestId: failure.requestId,
              retryAfterMs: failure.retryAfterMs,
            },
          },
          'Graph call gave up: the wait asked for exceeds its time budget',
        );
        throw failure;
      }
      log.debug(
        {
          graph: {
            ...where,
            status: failure.status,
            code: failure.graphCode,
            requestId: failure.requestId,
            attempt: attempt + 1,
            delayMs: delay,
          },
        },
        'Graph call retried',
      );
      try {
        await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : undefined);
      } catch (cause) {
        throw cancelled(where, cause);
      }
    }
    const final = lastError as GraphError;
    log.warn(
      {
        graph: {
          ...where,
          status: final.status,
          code: final.graphCode,
          requestId: final.requestId,
          attempts: policy.maxAttempts,
        },
      },
      'Graph call failed after retries',
    );
    throw final;
  };

  const graphOf = (target: GraphTarget): TenantGraph => {
    const { tenantId } = target;
    const graph: TenantGraph = {
      tenantId,
      send: (method, path, opts) => sendCall(target, method, path, opts),
      request: async (method, path, opts) => (await sendCall(target, method, path, opts)).body,
      list<T>(path: string, query?: GraphQuery, opts: GraphRequestOptions = {}): AsyncIterable<T> {
        return {
          async *[Symbol.asyncIterator]() {
            let next: string | undefined = path;
            let first = true;
            while (next) {
              const page: { value?: T[]; '@odata.nextLink'?: string } | undefined = await sendCall(
                target,
                'GET',
                next,
                { ...opts, ...(first ? { query } : { query: undefined }), responseType: 'json' },
              ).then((r) => r.body as { value?: T[]; '@odata.nextLink'?: string } | undefined);
              first = false;
              for (const item of page?.value ?? []) yield item;
              next = page?.['@odata.nextLink'];
            }
          },
        };
      },
      async all<T>(path: string, query?: GraphQuery, opts: GraphRequestOptions & { max?: number } = {}) {
        const { max, ...rest } = opts;
        const items: T[] = [];
        for await (const item of graph.list<T>(path, query, rest)) {
          items.push(item);
          if (max !== undefined && items.length >= max) break;
        }
        return items;
      },
    };
    return graph;
  };

  const forTenant = (entraTenantId: string): TenantGraph => {
    const tenantId = entraTenantId.toLowerCase();
    const existing = tenants.get(tenantId);
    if (existing) return existing;
    const graph = graphOf({ tenantId, token: () => tokens.getToken(tenantId) });
    tenants.set(tenantId, graph);
    return graph;
  };

  const forUser = (entraTenantId: string, assertion: string, scopes: readonly string[]): TenantGraph => {
    const tenantId = entraTenantId.toLowerCase();
    const graphScopes = scopes.map((scope) => `${GRAPH_RESOURCE}/${scope}`);
    return graphOf({
      tenantId,
      token: async () => {
        if (!tokens.getTokenOnBehalfOf) {
          throw new GraphError({
            status: 0,
            code: 'NotConfigured',
            message: 'this token provider cannot act on behalf of users',
          });
        }
        return tokens.getTokenOnBehalfOf(tenantId, assertion, graphScopes);
      },
    });
  };

  return {
    baseUrl,
    forTenant,
    forUser,
    stats: (entraTenantId) => limiterFor(entraTenantId.toLowerCase()).stats(),
    accessToken: (entraTenantId, scope) => tokens.getToken(entraTenantId, scope),
    async close() {
      for (const limiter of limiters.values()) limiter.close();
      await network?.close();
      await ownDispatcher?.close();
    },
  };
}
