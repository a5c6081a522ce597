import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, redactUrl } from './logger.ts';
import { installTelemetry } from './otel.ts';
import { tracer } from './tracing.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('info', sink), text: () => lines.join('') };
}

test('tokens, secrets and Authorization headers are redacted wherever they appear', () => {
  const { log, text } = capture();
  log.info(
    {
      req: {
        headers: { authorization: 'Bearer tok-AAA', cookie: 'sid=COOKIE-BBB', 'x-api-key': 'trl_KEY-CCC' },
      },
      app: {
        clientSecret: 'SECRET-DDD',
        token: 'TOKEN-EEE',
        password: 'PASS-FFF',
        connectionString: 'AccountKey=GGG',
      },
      response: { access_token: 'AT-HHH', refresh_token: 'RT-III' },
    },
    'calling out',
  );
  const out = text();
  for (const secret of [
    'tok-AAA',
    'COOKIE-BBB',
    'KEY-CCC',
    'SECRET-DDD',
    'TOKEN-EEE',
    'PASS-FFF',
    'GGG',
    'AT-HHH',
    'RT-III',
  ]) {
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert.match(out, /\[redacted\]/);
  const line = JSON.parse(out) as { level: string; msg: string; service: string };
  assert.equal(line.level, 'info');
  assert.equal(line.msg, 'calling out');
  assert.equal(line.service, 'trellis');
});

test('connection strings are logged without their password or token-like parameters', () => {
  assert.equal(
    redactUrl('postgres://trellis:hunter2@db.example:5432/trellis'),
    'postgres://trellis:redacted@db.example:5432/trellis',
  );
  assert.equal(
    redactUrl('https://x.blob.core.windows.net/c?sig=abc&sv=2024'),
    'https://x.blob.core.windows.net/c?sig=redacted&sv=2024',
  );
  assert.equal(redactUrl('not a url'), '[unparseable url]');
});

test('lines written inside a trace carry its trace and span ids; others carry none', async () => {
  const { log, text } = capture();
  const telemetry = await installTelemetry({
    log: createLogger('silent'),
    spanExporters: [new InMemorySpanExporter()],
    metricExporters: [],
    prometheus: false,
  });
  try {
    const span = tracer().startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => log.info('inside'));
    span.end();
    log.info('outside');
    const [inside, outside] = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(inside?.trace_id, span.spanContext().traceId);
    assert.equal(inside?.span_id, span.spanContext().spanId);
    assert.ok(outside && !('trace_id' in outside) && !('span_id' in outside));
  } finally {
    await telemetry.shutdown();
  }
});
