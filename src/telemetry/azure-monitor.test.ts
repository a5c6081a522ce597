import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { ensureLocalCertificate } from '../server/index.ts';

interface Envelope {
  name: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: { name?: string; metrics?: { name: string }[] } };
}

// Application Insights over its real protocol: the exporter posts envelopes to the ingestion endpoint
// of the connection string, here an HTTPS server on loopback with a local CA. The exporter's HTTP
// client only trusts the system store and NODE_EXTRA_CA_CERTS, so the pipeline runs in a child process.
let dir: string;
let server: Server;
let endpoint: string;
let caPath: string;
const envelopes: Envelope[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-azure-monitor-'));
  const tls = await ensureLocalCertificate(path.join(dir, 'tls'), ['127.0.0.1']);
  caPath = tls.caPath;
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const items = JSON.parse(body.toString('utf8')) as Envelope[];
      if (req.url?.startsWith('/v2.1/track')) envelopes.push(...items);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test(
  'with a connection string, spans and metrics reach Application Insights',
  { timeout: 120_000 },
  async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = path.join(dir, 'child.ts');
    await writeFile(
      script,
      `
import { SpanKind, context, trace } from ${JSON.stringify(import.meta.resolve('@opentelemetry/api'))};
import { loadConfig } from ${JSON.stringify(path.join(here, '../config.ts'))};
import { createLogger, instruments, startTelemetry, tracer } from ${JSON.stringify(path.join(here, 'index.ts'))};
const config = loadConfig({
  DATA_DIR: ${JSON.stringify(path.join(dir, 'data'))},
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=${endpoint}',
});
const telemetry = await startTelemetry(config, createLogger('warn'), { role: 'worker' });
const server = tracer().startSpan('GET /probe', { kind: SpanKind.SERVER });
context.with(trace.setSpan(context.active(), server), () =>
  tracer().startSpan('GET /v1.0/groups/{id}', { kind: SpanKind.CLIENT }).end(),
);
server.end();
instruments().provisioningDuration.record(42, { status: 'completed' });
await telemetry.forceFlush();
await telemetry.shutdown();
process.stdout.write(server.spanContext().traceId);
`,
    );
    const child = spawn(process.execPath, [script], {
      cwd: path.join(here, '../..'),
      // The exporter's own usage statistics would go to Microsoft: not from a test.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    const traceId = out.trim();
    assert.match(traceId, /^[0-9a-f]{32}$/);

    const request = envelopes.find((e) => e.data?.baseType === 'RequestData');
    assert.equal(request?.data?.baseData?.name, 'GET /probe');
    assert.equal(request?.tags?.['ai.operation.id'], traceId);
    assert.equal(request?.tags?.['ai.cloud.role'], 'trellis');
    const dependency = envelopes.find((e) => e.data?.baseType === 'RemoteDependencyData');
    assert.equal(dependency?.data?.baseData?.name, 'GET /v1.0/groups/{id}');
    assert.equal(dependency?.tags?.['ai.operation.id'], traceId);
    const metrics = envelopes
      .filter((e) => e.data?.baseType === 'MetricData')
      .flatMap((e) => e.data?.baseData?.metrics ?? []);
    assert.ok(
      metrics.some((m) => m.name === 'trellis.provisioning.duration'),
      JSON.stringify(metrics.map((m) => m.name)),
    );
  },
);
