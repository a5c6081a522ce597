import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type Db, openDatabase } from '../db/index.ts';
import { createJobQueue, type JobQueue } from '../jobs/index.ts';
import { createLogger } from './logger.ts';
import { installTelemetry, type Telemetry } from './otel.ts';
import { tracer } from './tracing.ts';

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

interface Handled {
  data: object;
  traceId: string | undefined;
  spanId: string | undefined;
}

// The job queue hands the sender's trace context to the job's run: through pg-boss's own
// instrumentation (its trace_context column), on the embedded database.
describe('trace context travels with jobs', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let dir: string;
  let db: Db;
  let queue: JobQueue;
  const handled: Handled[] = [];

  before(async () => {
    telemetry = await installTelemetry({
      log: createLogger('silent'),
      spanExporters: [exporter],
      metricExporters: [],
      prometheus: false,
    });
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-job-context-'));
    db = await openDatabase({ url: undefined, dataDir: dir });
    await db.migrate();
    queue = createJobQueue({ db, log: createLogger('silent') });
    queue.define<{ n: number }>('context.test', { retryLimit: 0 }, async (job) => {
      const active = trace.getSpan(context.active())?.spanContext();
      handled.push({ data: job.data, traceId: active?.traceId, spanId: active?.spanId });
    });
    await queue.start();
  });

  after(async () => {
    await queue.stop();
    await db.close();
    await telemetry.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  /** The finished span of the run of job `id` (its CONSUMER span ends after the handler returns). */
  async function processSpanOf(id: string): Promise<ReadableSpan> {
    for (let i = 0; i < 200; i++) {
      await telemetry.forceFlush();
      const found = exporter
        .getFinishedSpans()
        .find((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.message.id'] === id);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`job ${id} was not processed`);
  }

  test('a job sent inside a trace runs in a CONSUMER span of that trace, child of its send', async () => {
    const root = tracer().startSpan('caller');
    const id = await context.with(trace.setSpan(context.active(), root), () =>
      queue.send('context.test', { n: 1 }),
    );
    root.end();
    assert.ok(id);
    const consumer = await processSpanOf(id);
    const spans = exporter.getFinishedSpans();
    const producer = spans.find(
      (s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.message.id'] === id,
    );
    assert.ok(producer, spans.map((s) => s.name).join(', '));
    const traceId = root.spanContext().traceId;
    assert.equal(producer.name, 'send context.test');
    assert.equal(producer.spanContext().traceId, traceId);
    assert.equal(parentOf(producer), root.spanContext().spanId);
    assert.equal(consumer.name, 'process context.test');
    assert.equal(consumer.spanContext().traceId, traceId);
    assert.equal(parentOf(consumer), producer.spanContext().spanId);
    assert.equal(consumer.attributes['messaging.destination.name'], 'context.test');
    // The job's INSERT is traced too, under the send.
    assert.ok(
      spans.some(
        (s) =>
          s.attributes['db.operation.name'] === 'INSERT' && parentOf(s) === producer.spanContext().spanId,
      ),
      'the enqueueing query is a child of the send',
    );
    // The handler ran with the consumer span active, and its data is the data sent.
    const run = handled.at(-1);
    assert.deepEqual(run?.data, { n: 1 });
    assert.equal(run?.traceId, traceId);
    assert.equal(run?.spanId, consumer.spanContext().spanId);

    // Stored beside the data as a W3C traceparent (trace ids only: no baggage).
    const { rows } = await db.executeSql('select data, trace_context from pgboss.job where id = $1', [id]);
    const row = rows[0] as { data: object; trace_context: Record<string, string> };
    assert.deepEqual(row.data, { n: 1 });
    assert.deepEqual(Object.keys(row.trace_context), ['traceparent']);
    assert.match(
      row.trace_context.traceparent ?? '',
      new RegExp(`^00-${traceId}-${producer.spanContext().spanId}-01$`),
    );
    exporter.reset();
  });

  test('a job sent in a transaction continues the trace once the transaction commits', async () => {
    const root = tracer().startSpan('caller');
    const id = await context.with(trace.setSpan(context.active(), root), () =>
      db.withPlatform((tx) => queue.send('context.test', { n: 2 }, { tx })),
    );
    root.end();
    assert.ok(id);
    const consumer = await processSpanOf(id);
    assert.equal(consumer.spanContext().traceId, root.spanContext().traceId);
    assert.equal(handled.at(-1)?.traceId, root.spanContext().traceId);
    exporter.reset();
  });

  test('jobs sent outside any trace start traces of their own, one per job', async () => {
    const first = await queue.send('context.test', { n: 3 });
    const second = await queue.send('context.test', { n: 4 });
    assert.ok(first && second);
    const a = await processSpanOf(first);
    const b = await processSpanOf(second);
    assert.notEqual(a.spanContext().traceId, b.spanContext().traceId);
    const data = handled.slice(-2).map((h) => h.data as { n: number });
    assert.deepEqual(data.map((d) => d.n).sort(), [3, 4]);
  });
});
