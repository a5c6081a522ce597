import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { AccessTokenError, RESOURCES, type VerifiedCaller, verifyBearer } from '../../entra/access-tokens.ts';
import type { FaultPlan } from '../../faults/index.ts';
import { graphOf } from '../state.ts';
import { errorBody, GraphError } from './errors.ts';
import type { GraphCall, GraphRoute, RoutePermissions } from './route.ts';

interface RequestState {
  requestId: string;
  clientRequestId: string;
  caller?: VerifiedCaller;
  plan?: FaultPlan;
}

// Per-request Graph state, kept off the shared FastifyRequest type that other plugins also shape.
const states = new WeakMap<FastifyRequest, RequestState>();

function stateOf(request: FastifyRequest): RequestState {
  let state = states.get(request);
  if (!state) {
    const requestId = randomUUID();
    const given = request.headers['client-request-id'];
    state = { requestId, clientRequestId: typeof given === 'string' && given ? given : requestId };
    states.set(request, state);
  }
  return state;
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Sets Graph's correlation headers (`request-id`, `client-request-id`, diagnostics) on a reply. */
function correlate(request: FastifyRequest, reply: FastifyReply): void {
  const state = stateOf(request);
  reply.header('request-id', state.requestId);
  reply.header('client-request-id', state.clientRequestId);
  reply.header(
    'x-ms-ags-diagnostic',
    JSON.stringify({
      ServerInfo: {
        DataCenter: 'Sandbox',
        Slice: 'E',
        Ring: '1',
        ScaleUnit: '000',
        RoleInstance: 'M365-SANDBOX',
      },
    }),
  );
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: GraphError): FastifyReply {
  const state = stateOf(request);
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json')
    .send(errorBody(error.code, error.message, state));
}

/** @throws GraphError(401 InvalidAuthenticationToken) */
async function authenticate(ctx: SandboxContext, request: FastifyRequest): Promise<VerifiedCaller> {
  try {
    return await verifyBearer(ctx, request, [RESOURCES.graph.uri, RESOURCES.graph.appId]);
  } catch (error) {
    if (!(error instanceof AccessTokenError)) throw error;
    throw new GraphError(401, 'InvalidAuthenticationToken', error.message, {
      'WWW-Authenticate': `Bearer realm="", authorization_uri="${ctx.config.origin}/common/oauth2/authorize", client_id="${RESOURCES.graph.appId}"`,
    });
  }
}

/** The authenticated caller of a Graph request (set by the pipeline's auth hook). */
export function callerOf(request: FastifyRequest): VerifiedCaller {
  const caller = stateOf(request).caller;
  if (!caller) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  return caller;
}

/** @throws GraphError(403 Authorization_RequestDenied), or 400 for an application calling a delegated-only route. */
function authorize(caller: VerifiedCaller, permissions: RoutePermissions): void {
  const granted = caller.kind === 'application' ? permissions.application : permissions.delegated;
  if (caller.kind === 'application' && granted.length === 0) {
    throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }
  if (!granted.some((p) => caller.permissions.includes(p))) {
    throw new GraphError(
      403,
      'Authorization_RequestDenied',
      `Insufficient privileges to complete the operation. The call needs one of: ${granted.join(', ')}.`,
    );
  }
}

const TRANSIENT: Record<number, { code: string; message: string }> = {
  500: {
    code: 'InternalServerError',
    message: 'An internal server error occurred. Please retry the request.',
  },
  502: { code: 'BadGateway', message: 'The server received an invalid response from an upstream server.' },
  503: {
    code: 'ServiceUnavailable',
    message: 'The service is temporarily unavailable. Please retry after the delay.',
  },
  504: {
    code: 'GatewayTimeout',
    message: 'The request timed out at the gateway. Please retry after the delay.',
  },
};

function transientError(transient: NonNullable<FaultPlan['transient']>): GraphError {
  const known = TRANSIENT[transient.status] ?? { code: 'ServiceUnavailable', message: 'Please retry.' };
  return new GraphError(
    transient.status,
    known.code,
    known.message,
    transient.retryAfterSeconds === null ? {} : { 'Retry-After': String(transient.retryAfterSeconds) },
  );
}

/**
 * The Graph request pipeline of a plugin scope: JSON and raw-bytes body parsing, correlation headers,
 * bearer authentication, fault injection (latency, 429, transient 5xx before or after the handler)
 * and Graph's error shape for every failure.
 */
export function installPipeline(api: FastifyInstance, ctx: SandboxContext): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new GraphError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        ),
      );
    }
  });
  // Uploads (text/plain, application/octet-stream …) keep their bytes.
  api.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  api.addHook('onRequest', async (request, reply) => {
    correlate(request, reply);
  });
  api.addHook('onRequest', async (request) => {
    stateOf(request).caller = await authenticate(ctx, request);
  });
  api.addHook('onRequest', async (request) => {
    const caller = callerOf(request);
    const plan = ctx.faults.plan({
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      params: request.params as Record<string, string>,
      tenantId: caller.tenant.id,
      appId: caller.clientId,
      tenantUsers: caller.tenant.directory.users.length,
    });
    stateOf(request).plan = plan;
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.throttle) {
      throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', {
        'Retry-After': String(plan.throttle.retryAfterSeconds),
      });
    }
    if (plan.transient && !plan.transient.afterCommit) throw transientError(plan.transient);
  });
  api.addHook('onSend', async (request, reply, payload) => {
    const transient = stateOf(request).plan?.transient;
    if (transient?.afterCommit && reply.statusCode < 400) {
      // The change is applied; the caller only learns of a failure (a gateway timing out on it).
      ctx.faults.countAfterCommit(transient);
      const error = transientError(transient);
      reply.removeHeader('location');
      reply.removeHeader('content-location');
      reply.code(error.status).headers(error.headers).type('application/json');
      return JSON.stringify(errorBody(error.code, error.message, stateOf(request)));
    }
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) {
      reply.header(
        'content-type',
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      );
      reply.header('OData-Version', '4.0');
    }
    return payload;
  });

  api.setErrorHandler((error: FastifyError | GraphError, request, reply) => {
    if (error instanceof GraphError) return sendError(request, reply, error);
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code =
        status === 413 ? 'RequestEntityTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'BadRequest';
      return sendError(request, reply, new GraphError(status, code, error.message));
    }
    request.log.error({ err: error }, 'graph route failed');
    return sendError(
      request,
      reply,
      new GraphError(500, 'InternalServerError', 'An internal server error occurred.'),
    );
  });
}

/** Registers a Graph operation on every path it has, with its permission check. */
export function registerRoute(api: FastifyInstance, ctx: SandboxContext, route: GraphRoute): void {
  const urls = typeof route.url === 'string' ? [route.url] : route.url;
  for (const url of urls) {
    api.route({
      method: route.method,
      url,
      handler: async (request, reply) => {
        const caller = callerOf(request);
        authorize(caller, route.permissions);
        const call: GraphCall = {
          ctx,
          request,
          reply,
          caller,
          tenant: caller.tenant,
          graph: graphOf(caller.tenant),
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | undefined>,
          body: request.body,
          now: new Date(),
          base: `${ctx.config.origin}/v1.0`,
        };
        const result = await route.handler(call);
        if (request.method !== 'GET') ctx.store.changed();
        if (reply.sent) return reply;
        return result === undefined ? reply.send() : reply.send(result);
      },
    });
  }
}

/** `teams('x')/operations('y')` → `teams/x/operations/y`: Graph accepts both key forms, the router one. */
export function normalizeKeySegments(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const normalized = path.replace(/\/([A-Za-z]+)\((?:'|%27)([^'/]*?)(?:'|%27)\)(?=\/|$)/g, '/$1/$2');
  return normalized + query;
}

/**
 * Outside the pipeline: `/v1.0/…` with `('key')` segments is routed again in its slash form; anything
 * else unknown answers Graph's 400 for an unknown segment (after authentication, as Graph checks first).
 */
export function installFallback(app: FastifyInstance, ctx: SandboxContext): void {
  app.route({
    method: ALL_METHODS,
    url: '/v1.0/*',
    onRequest: async (request, reply) => {
      const normalized = normalizeKeySegments(request.url);
      if (normalized !== request.url) {
        reply.hijack();
        request.raw.url = normalized;
        app.routing(request.raw, reply.raw);
      }
    },
    handler: async (request, reply) => {
      correlate(request, reply);
      try {
        await authenticate(ctx, request);
      } catch (error) {
        if (error instanceof GraphError) return sendError(request, reply, error);
        throw error;
      }
      const path = request.url.split('?')[0] ?? '';
      const segment = decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
      return sendError(
        request,
        reply,
        new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
      );
    },
  });
}
