import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { instruments } from './instruments.ts';
import { errorTypeOf, tracer } from './tracing.ts';

/** Probes and the scraper: measured, never traced (they arrive every few seconds and tell nothing). */
const UNTRACED = new Set(['/healthz', '/readyz', '/livez', '/metrics']);

interface Exchange {
  span: Span | undefined;
  started: number;
  error: unknown;
  done: boolean;
}

/**
 * Traces and measures every request: a SERVER span named after the route template (continuing the
 * caller's W3C `traceparent`), active while hooks and the handler run, ended with the status; and the
 * `http.server.request.duration` histogram. Register before any other hook.
 */
export function registerHttpTelemetry(app: FastifyInstance): void {
  const exchanges = new WeakMap<FastifyRequest, Exchange>();

  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    if (UNTRACED.has(path)) {
      exchanges.set(request, { span: undefined, started: performance.now(), error: undefined, done: false });
      return done();
    }
    const route = request.routeOptions.url;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer().startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          [ATTR_URL_PATH]: path,
          [ATTR_URL_SCHEME]: request.protocol,
          ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
          'trellis.request_id': request.id,
        },
      },
      parent,
    );
    exchanges.set(request, { span, started: performance.now(), error: undefined, done: false });
    const active = trace.setSpan(parent, span);
    // The body arrives in stream events, which run outside the hook chain's context: bind them.
    context.bind(active, request.raw);
    context.bind(active, reply.raw);
    context.with(active, done);
  });

  app.addHook('onError', async (request, _reply, error) => {
    const exchange = exchanges.get(request);
    if (exchange) exchange.error = error;
  });

  const finish = (request: FastifyRequest, status: number, seconds: number, failure?: string) => {
    const exchange = exchanges.get(request);
    if (!exchange || exchange.done) return;
    exchange.done = true;
    const route = request.routeOptions.url;
    const errorType = failure ?? (status >= 500 ? String(status) : undefined);
    instruments().httpServerDuration.record(seconds, {
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_URL_SCHEME]: request.protocol,
      ...(status ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status } : {}),
      ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
      ...(errorType ? { [ATTR_ERROR_TYPE]: errorType } : {}),
    });
    const { span } = exchange;
    if (!span) return;
    if (status) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (errorType) {
      // 4xx are the client's doing: the server span stays unset, as the conventions say.
      if (exchange.error !== undefined) span.recordException(exchange.error as Error);
      span.setAttribute(
        ATTR_ERROR_TYPE,
        exchange.error !== undefined ? errorTypeOf(exchange.error) : errorType,
      );
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  const elapsed = (reply: FastifyReply) => reply.elapsedTime / 1000;
  app.addHook('onResponse', async (request, reply) => finish(request, reply.statusCode, elapsed(reply)));
  app.addHook('onTimeout', async (request, reply) =>
    finish(request, reply.statusCode, elapsed(reply), 'timeout'),
  );
  // The client went away before its request was complete: no status was sent.
  app.addHook('onRequestAbort', async (request) => {
    const exchange = exchanges.get(request);
    const started = exchange?.started ?? performance.now();
    finish(request, 0, (performance.now() - started) / 1000, 'aborted');
  });
}
