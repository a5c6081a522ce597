import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandler } from '../server/problem.ts';
import { registerHttpTelemetry } from './http-server.ts';
import { createLogger } from './logger.ts';
import { PROMETHEUS_CONTENT_TYPE, registerMetricsRoute } from './metrics-route.ts';
import { installTelemetry, type Telemetry } from './otel.ts';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';

async function serve(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('HTTP requests are traced and measured, and /metrics is protected', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  let telemetry: Telemetry;
  let log: ReturnType<typeof createLogger>;
  let app: FastifyInstance;
  let base: string;
  const seen: { traceId?: string; spanId?: string; body?: unknown }[] = [];

  before(async () => {
    log = createLogger(
      'info',
      new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    telemetry = await installTelemetry({
      log,
      spanExporters: [exporter],
      metricExporters: [],
      prometheus: true,
    });
    app = Fastify({ loggerInstance: log }) as unknown as FastifyInstance;
    registerHttpTelemetry(app);
    registerErrorHandler(app);
    app.post('/items/:id', async (request) => {
      // The body arrived in stream events after the hooks ran: the request's span is still active.
      const ids = trace.getSpan(context.active())?.spanContext();
      seen.push({ traceId: ids?.traceId, spanId: ids?.spanId, body: request.body });
      request.log.info('handling an item');
      return { ok: true };
    });
    app.get('/boom', async () => {
      throw new Error('kaput');
    });
    await registerMetricsRoute(app, { token: TOKEN, telemetry });
    base = await serve(app);
  });

  after(async () => {
    await app.close();
    await telemetry.shutdown();
  });

  test('a request is a SERVER span named after its route, continuing the caller’s traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${base}/items/42?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ name: 'widget' }),
    });
    assert.equal(res.status, 200);
    await telemetry.forceFlush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'POST /items/:id');
    assert.ok(
      span,
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', '),
    );
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.spanContext().traceId, traceId);
    assert.equal(span.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(span.attributes['http.route'], '/items/:id');
    assert.equal(span.attributes['url.path'], '/items/42');
    assert.equal(span.attributes['http.request.method'], 'POST');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.status.code, SpanStatusCode.UNSET);

    const handled = seen.at(-1);
    assert.deepEqual(handled?.body, { name: 'widget' });
    assert.equal(handled?.traceId, traceId);
    assert.equal(handled?.spanId, span.spanContext().spanId);
    const logged = lines.find((l) => l.msg === 'handling an item');
    assert.equal(logged?.trace_id, traceId, JSON.stringify(logged));
    assert.equal(logged?.span_id, span.spanContext().spanId);
    // Fastify's own line for the exchange too.
    const completed = lines.find((l) => l.msg === 'request completed' && l.trace_id === traceId);
    assert.ok(completed, JSON.stringify(lines.filter((l) => l.msg === 'request completed')));
    exporter.reset();
  });

  test('a 500 marks the span failed with the exception; probes are not traced', async () => {
    assert.equal((await fetch(`${base}/boom`)).status, 500);
    await telemetry.forceFlush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'GET /boom');
    assert.ok(span);
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['http.response.status_code'], 500);
    assert.ok(span.events.some((e) => e.name === 'exception'));
    // Lines logged outside any request carry no trace ids.
    log.info('outside any request');
    assert.ok(
      !('trace_id' in (lines.find((l) => l.msg === 'outside any request') ?? { trace_id: 'missing' })),
    );

    await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    await telemetry.forceFlush();
    assert.ok(
      !exporter.getFinishedSpans().some((s) => s.name.includes('/metrics')),
      'scrapes are not traced',
    );
    exporter.reset();
  });

  test('/metrics answers 401 without the token or with a wrong one', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      'Bearer ',
    ]) {
      const res = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.doesNotMatch(await res.text(), /http_server_request_duration/);
    }
  });

  test('/metrics with the token serves the request durations in Prometheus format', async () => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    assert.match(text, /^# TYPE http_server_request_duration histogram$/m);
    assert.match(
      text,
      /^http_server_request_duration_count\{[^}]*http_request_method="POST"[^}]*http_response_status_code="200"[^}]*http_route="\/items\/:id"[^}]*\} 1$/m,
    );
    assert.match(
      text,
      /^http_server_request_duration_count\{[^}]*http_response_status_code="500"[^}]*\} 1$/m,
    );
    assert.match(text, /^trellis_graph_throttled_total(\{[^}]*\})? 0$/m);
    assert.match(text, /^trellis_webhook_failures_total(\{[^}]*\})? 0$/m);
  });

  test('without a token there is no /metrics at all', async () => {
    const bare = Fastify();
    await registerMetricsRoute(bare, { token: undefined, telemetry });
    const url = await serve(bare);
    try {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 404);
    } finally {
      await bare.close();
    }
  });
});
