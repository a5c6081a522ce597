import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { RunView } from '../../src/provisioning/index.ts';
import { METADATA, type ProvisioningRig, startProvisioningRig, upn } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

// Issue #9's "done when": an OTLP/HTTP receiver gets the whole trace of one provisioning run, from
// the HTTP request that approved it through the jobs to every Graph call; logs carry its trace id;
// /metrics serves the named metrics to a scraper with the token only.

const METRICS_TOKEN = randomBytes(24).toString('hex');
// OTLP span kinds (the protocol's numbering: SpanKind + 1).
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
  service: string | undefined;
}

/** A collector in miniature: OTLP/HTTP with JSON bodies, on loopback. */
async function startOtlpReceiver() {
  const spans: Span[] = [];
  const metricNames = new Set<string>();
  const paths: string[] = [];
  const flat = (attrs: { key: string; value: OtlpValue }[] = []) =>
    Object.fromEntries(
      attrs.map(({ key, value }) => [
        key,
        value.stringValue ??
          (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue)),
      ]),
    );
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    return req.headers['content-encoding'] === 'gzip' ? await promisify(gunzip)(body) : body;
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const json = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: {
          resource?: { attributes?: { key: string; value: OtlpValue }[] };
          scopeSpans?: { spans?: OtlpSpan[] }[];
        }[];
        resourceMetrics?: { scopeMetrics?: { metrics?: { name: string }[] }[] }[];
      };
      if (req.url === '/v1/traces') {
        for (const rs of json.resourceSpans ?? []) {
          const service = flat(rs.resource?.attributes)['service.name'] as string | undefined;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                attributes: flat(s.attributes),
                service,
              });
            }
          }
        }
      } else if (req.url === '/v1/metrics') {
        for (const rm of json.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) metricNames.add(m.name);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    metricNames,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the sandbox received: every request's path and the trace context it carried. */
function observeSandbox(sb: TestSandbox) {
  const seen: { method: string; path: string; traceId?: string; parentId?: string }[] = [];
  // A second listener beside Fastify's: it only reads the request line and headers.
  sb.sandbox.app.server.on('request', (req: IncomingMessage) => {
    const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(
      String(req.headers.traceparent ?? ''),
    ) ?? [undefined, undefined, undefined];
    seen.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', traceId, parentId });
  });
  return seen;
}

/** A free loopback port, closed again: nothing answers there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of one Prometheus sample (sum over the series matching all `labels`). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[3] ?? '';
    if (!Object.entries(labels).every(([k, v]) => present.includes(`${k}="${v}"`))) continue;
    total = (total ?? 0) + Number(match[4]);
  }
  return total;
}

describe('OpenTelemetry: one provisioning run is one trace, from the approval to every Graph call', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let sb: TestSandbox;
  let rig: ProvisioningRig;
  let seen: ReturnType<typeof observeSandbox>;
  let traceId: string;
  let callerSpanId: string;
  let approvalRequestId: string | null;
  let run: RunView;
  let window: { from: number; to: number };
  let stopped = false;

  before(async () => {
    receiver = await startOtlpReceiver();
    sb = await startTestSandbox({ faults: 'none' });
    seen = observeSandbox(sb);
    rig = await startProvisioningRig({
      sandbox: sb,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        METRICS_TOKEN,
        // A subscriber that never answers: its delivery attempt fails (and is retried much later).
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '3600',
      },
    });
  });

  after(async () => {
    if (!stopped) await rig.trellis.close();
    await sb.close();
    await receiver.close();
  });

  test(
    'a request approved over HTTP is provisioned, its webhook delivery fails',
    { timeout: 240_000 },
    async () => {
      const hook = await rig.tenant.call('POST', '/api/v1/webhooks', {
        url: `https://127.0.0.1:${await closedPort()}/hook`,
        events: ['request.approved'],
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));

      const created = await rig.tenant.call('POST', '/api/v1/requests', {
        template: 'project',
        name: 'Kestrel',
        requester: upn('adele.vance'),
        metadata: METADATA.project,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      let view = created.body as { requestId: string; status: string };
      window = { from: seen.length, to: Infinity };
      while (view.status === 'pending_approval') {
        // The caller's own trace context: the approval's span continues it.
        traceId = randomBytes(16).toString('hex');
        callerSpanId = randomBytes(8).toString('hex');
        const approved = await rig.tenant.call(
          'POST',
          `/api/v1/requests/${view.requestId}/approve`,
          {},
          { traceparent: `00-${traceId}-${callerSpanId}-01` },
        );
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        approvalRequestId = approved.headers.get('x-request-id');
        view = approved.body;
      }
      run = await rig.waitForRun(view.requestId, 200_000);
      assert.equal(run.status, 'completed', JSON.stringify(run.error ?? run.conformance));

      // The webhook's first attempt has been made (and failed).
      const deadline = Date.now() + 30_000;
      let attempts = 0;
      while (attempts === 0 && Date.now() < deadline) {
        const deliveries = await rig.tenant.call('GET', `/api/v1/webhooks/${hook.body.webhookId}/deliveries`);
        attempts = (deliveries.body.items as { attemptCount: number }[]).reduce(
          (n, d) => n + d.attemptCount,
          0,
        );
        if (attempts === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(attempts, 1);
      window.to = seen.length;
    },
  );

  test('log lines written during the run carry its trace id', () => {
    const lines = rig.trellis.logs.filter((l) => l.trace_id === traceId);
    assert.ok(lines.length > 0, 'some log line carries the trace id');
    assert.ok(
      lines.some((l) => l.msg === 'request completed' && l.requestId === approvalRequestId),
      'the approval’s own request log line',
    );
    for (const l of lines) assert.match(String(l.span_id), /^[0-9a-f]{16}$/);
  });

  test('/metrics refuses a scraper without the token, and serves the named metrics with it', async () => {
    // Graph throttles this tenant to one request per second for a moment: a few calls at once get 429.
    await rig.faults({ throttling: { enabled: true, factor: 1, tenantPerSecond: 1 } });
    const graph = rig.trellis.running.domain.graph.forTenant(CONTOSO_TENANT_ID);
    await Promise.all([1, 2, 3].map(() => graph.request('GET', '/users', { query: { top: 1 } })));
    const faults = (await (await sb.fetch('/sandbox/api/faults')).json()) as {
      counters: { throttled: number };
    };
    assert.ok(faults.counters.throttled >= 1, JSON.stringify(faults.counters));
    await rig.faults({ profile: 'none' });

    assert.equal((await rig.trellis.fetch('/metrics')).status, 401);
    const wrong = await rig.trellis.fetch('/metrics', { headers: { authorization: 'Bearer not-the-token' } });
    assert.equal(wrong.status, 401);
    const res = await rig.trellis.fetch('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const approve = { http_route: '/api/v1/requests/:requestId/approve', http_request_method: 'POST' };
    assert.ok((sample(text, 'http_server_request_duration_count', approve) ?? 0) >= 1, 'request durations');
    assert.ok((sample(text, 'http_client_request_duration_count') ?? 0) >= 30, 'Graph call durations');
    assert.equal(
      sample(text, 'trellis_graph_throttled_total'),
      faults.counters.throttled,
      'every 429 counted',
    );
    assert.equal(sample(text, 'trellis_provisioning_duration_count', { status: 'completed' }), 1);
    assert.ok((sample(text, 'trellis_provisioning_duration_sum', { status: 'completed' }) ?? 0) > 0);
    assert.equal(sample(text, 'trellis_webhook_failures_total'), 1);
    assert.notEqual(
      sample(text, 'pgboss_queue_jobs', {
        messaging_destination_name: 'provisioning.run',
        pgboss_job_state: 'ready',
      }),
      undefined,
      'queue depth per queue and state',
    );
  });

  test('the collector received the whole trace, every Graph request of the run in it', async () => {
    // Stopping flushes: the work still running finishes, then the exporters send what is left.
    stopped = true;
    await rig.trellis.close();
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const named = (name: string) => spans.filter((s) => s.name === name);
    const ancestors = (span: Span) => {
      const chain: Span[] = [];
      for (let p = byId.get(span.parentSpanId ?? ''); p; p = byId.get(p.parentSpanId ?? '')) chain.push(p);
      return chain;
    };
    assert.ok(spans.every((s) => s.service === 'trellis'));

    // The root: the approval's SERVER span, child of the caller's span.
    const [approval, ...others] = named('POST /api/v1/requests/:requestId/approve');
    assert.ok(approval, `spans of the trace: ${[...new Set(spans.map((s) => s.name))].join(', ')}`);
    assert.equal(others.length, 0);
    assert.equal(approval.kind, KIND.SERVER);
    assert.equal(approval.parentSpanId, callerSpanId);
    assert.equal(approval.attributes['http.response.status_code'], 200);
    // One tree: every other span's parent is in the trace, and leads back to the approval.
    for (const span of spans) {
      if (span === approval) continue;
      assert.ok(byId.has(span.parentSpanId ?? ''), `${span.name} has its parent in the trace`);
      assert.ok(ancestors(span).includes(approval), `${span.name} descends from the approval`);
    }

    // The approval's event dispatched as a job: send in the request, process in the worker.
    const dispatch = named('process events.dispatch').filter((s) => s.kind === KIND.CONSUMER);
    assert.ok(dispatch.length >= 1);
    for (const d of dispatch) {
      const parent = byId.get(d.parentSpanId ?? '');
      assert.equal(parent?.name, 'send events.dispatch');
      assert.equal(parent?.kind, KIND.PRODUCER);
    }
    // The run's job, sent by the dispatch (createRun), and its slices.
    const runJobs = named('process provisioning.run').filter((s) => s.kind === KIND.CONSUMER);
    assert.ok(runJobs.length >= 1);
    assert.ok(
      runJobs.some((j) => ancestors(j).some((a) => dispatch.includes(a))),
      'the first run job was sent by the event dispatch',
    );
    const slices = named('provisioning.run');
    assert.ok(slices.length >= 1);
    for (const slice of slices) {
      assert.equal(slice.attributes['trellis.run.id'], run.runId);
      assert.ok(
        runJobs.some((j) => j.spanId === slice.parentSpanId),
        'a slice runs inside its job',
      );
    }
    // A span for every step the run went through, inside a slice.
    const stepSpans = spans.filter((s) => s.name.startsWith('provisioning.step '));
    for (const step of run.steps.filter((s) => s.status === 'done')) {
      const found = stepSpans.filter((s) => s.attributes['trellis.step.name'] === step.name);
      assert.ok(found.length >= 1, `a span for step ${step.name}`);
      for (const s of found) assert.ok(slices.some((r) => r.spanId === s.parentSpanId));
    }

    // Every Graph request the sandbox received while the run went on carried this trace, and each
    // is exactly one CLIENT span of it (its traceparent names the span).
    const during = seen.slice(window.from, window.to);
    const graphRequests = during.filter((r) => r.path.startsWith('/v1.0/'));
    assert.ok(graphRequests.length >= 30, `${graphRequests.length} Graph requests`);
    for (const r of graphRequests)
      assert.equal(r.traceId, traceId, `${r.method} ${r.path} carried the trace`);
    const sentInTrace = seen.filter((r) => r.traceId === traceId);
    const clientSpans = spans.filter((s) => s.kind === KIND.CLIENT && s.attributes['peer.service']);
    assert.deepEqual(
      sentInTrace.map((r) => r.parentId).sort(),
      clientSpans.map((s) => s.spanId).sort(),
      'one CLIENT span per request the sandbox received',
    );
    for (const s of clientSpans) {
      const request = sentInTrace.find((r) => r.parentId === s.spanId);
      assert.equal(s.attributes['http.request.method'], request?.method);
      assert.ok(typeof s.attributes['http.response.status_code'] === 'number');
      assert.doesNotMatch(
        String(s.attributes['url.template']),
        /[0-9a-f]{8}-[0-9a-f]{4}/,
        'no ids in templates',
      );
    }
    // The run's Graph calls happened inside its steps.
    const runCalls = clientSpans.filter((s) => ancestors(s).some((a) => slices.includes(a)));
    assert.ok(runCalls.length >= 30, `${runCalls.length} Graph calls of the run`);
    for (const call of runCalls)
      assert.ok(
        ancestors(call).some((a) => stepSpans.includes(a)),
        call.name,
      );
    // Queries are in the trace too, as spans without their text.
    const queries = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    assert.ok(queries.some((q) => q.name === 'UPDATE provisioning_runs'));
    assert.ok(queries.every((q) => !('db.query.text' in q.attributes)));

    // Metrics went to the collector too, as JSON over HTTP.
    assert.ok(receiver.paths.some((p) => p.startsWith('POST /v1/traces application/json')));
    for (const name of [
      'http.server.request.duration',
      'trellis.provisioning.duration',
      'trellis.graph.throttled',
    ]) {
      assert.ok(receiver.metricNames.has(name), `${name} exported over OTLP`);
    }
  });
});
