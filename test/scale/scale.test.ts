import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { graphOf } from '../../sandbox/graph/state.ts';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { RATE_LIMIT_TIER_SETTING } from '../../src/api/rate-limit-tiers.ts';
import { API_SCOPES } from '../../src/api/caller.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/index.ts';
import { createDomain, type Domain } from '../../src/runtime/domain.ts';
import { openServices } from '../../src/runtime/services.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { issueLeaf, makeCa } from '../helpers/openssl.ts';
import { sandboxEnv, upn } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { createTestDatabase } from '../servers/postgres.ts';
import { type RunningHaproxy, startHaproxy } from './haproxy.ts';
import { type CallResult, createHttpTally, type HttpTally } from './http-tally.ts';
import { freePort, type Instance, startInstance, stopInstance } from './instances.ts';

// Scale-out under maintenance: HAProxy (TLS, health checks on /readyz) in front of two web instances,
// two worker instances, all on the machine's PostgreSQL and Redis, the sandbox as Microsoft 365.
// 200 requests are created and approved through HAProxy while a steady reader polls the API through
// it, a worker is SIGKILLed and restarted, and each web instance is restarted in turn (SIGTERM:
// drain, then a fresh process on the same port). Every run must complete, nothing may be created
// twice in the sandbox, and not one HTTP request through HAProxy may fail.

const REQUESTS = 200;
const CREATORS = 4;
const READERS = 2;
/** HAProxy needs at most fall × inter (+ fastinter, check timeout) ≈ 1.75 s to see a drain: leave margin. */
const DRAIN_MS = 3000;
/** The address HAProxy connects from: the only one the instances trust and accept. */
const PROXY_ADDRESS = '127.0.0.2';
const TEMPLATE = {
  schemaVersion: 1,
  slug: 'scale',
  name: 'Scale',
  minimumOwners: 1,
  naming: { displayName: 'SCL {{ request.name }}', mailNickname: 'scl-{{ request.name | slug }}' },
  channels: [{ displayName: 'Ops', description: 'Runbooks and on-call.' }],
  approval: { stages: [{ name: 'IT', approvers: [{ type: 'user', user: upn('megan.bowen') }] }] },
};
const TERMINAL = ['completed', 'completed_with_drift', 'failed', 'cancelled'];
/** Graph requests per second the sandbox allows Trellis in the tenant, whichever process sends. */
const GRAPH_BUDGET = 30;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sb: TestSandbox;
let dir: string;
let env: Record<string, string>;
let database: Db;
let domain: Domain;
let closeServices: () => Promise<void>;
let haproxy: RunningHaproxy;
let dispatcher: Agent;
let tenantId: string;
let writerToken: string;
let readerToken: string;
const webPorts: number[] = [];
const webs: Instance[] = [];
const workers: Instance[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const webEnv = (i: number) => ({ ...env, PORT: String(webPorts[i]) });
const webName = (i: number) => `web${i + 1}`;

before(async () => {
  db = await createTestDatabase();
  sb = await startTestSandbox({ faults: 'none' });
  // A little latency and a few transient 5xx (some after Graph committed): retries and
  // look-before-create are exercised while instances come and go. And Graph's throttling with a
  // budget for the tenant that the two workers together reach: they must share it (one worker's 429
  // pauses both), or runs fail once their retries are spent.
  const faults = await sb.fetch('/sandbox/api/faults', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      throttling: { enabled: true, factor: 1, tenantPerSecond: GRAPH_BUDGET },
      latency: { distribution: 'uniform', minMs: 5, maxMs: 30 },
      transient: {
        rate: 0.02,
        statuses: [500, 502, 503, 504],
        retryAfterSeconds: 1,
        maxConsecutive: 1,
        afterCommitShare: 0.5,
      },
    }),
  });
  assert.equal(faults.status, 200, await faults.text());

  dir = await mkdtemp(path.join(tmpdir(), 'trellis-scale-'));
  const tlsDir = path.join(dir, 'tls');
  await mkdir(tlsDir);
  const ca = await makeCa(tlsDir, { cn: 'Trellis scale test CA' });
  const leaf = await issueLeaf(tlsDir, { name: 'haproxy', san: 'DNS:localhost,IP:127.0.0.1' });
  const frontendPort = await freePort();
  webPorts.push(await freePort(), await freePort());

  env = {
    ...sandboxEnv(sb),
    ENV_FILE: '',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    // Shared by every instance: the local key file and blobs must be the same everywhere.
    DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'warn',
    // TLS ends at HAProxy; the instances serve plain HTTP on loopback to HAProxy's address only.
    TLS_MODE: 'proxy',
    HOST: '127.0.0.1',
    TRUSTED_PROXIES: PROXY_ADDRESS,
    ALLOWED_SOURCES: PROXY_ADDRESS,
    PUBLIC_URL: `https://localhost:${frontendPort}`,
    SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
    // Every test client shares one IP; the per-IP limit is not what this test measures.
    RATE_LIMIT_PER_MINUTE: '100000',
    // Six processes share two cores: a second-long stall is normal here and must not shed requests.
    LOAD_SHED_EVENT_LOOP_DELAY_MS: '5000',
    PROVISIONING_LEASE_SECONDS: '3',
    PROVISIONING_RECOVERY_SECONDS: '1',
    PROVISIONING_CONCURRENCY: '10',
  };

  // This process prepares the tenant and reads the outcome; it runs no job and serves nothing.
  const config = loadConfig({ ...env, PORT: '0' });
  const services = await openServices(config, { migrate: true });
  database = services.db;
  domain = await createDomain({ config, log: createLogger('warn'), ...services });
  await domain.start({ workers: false });
  closeServices = async () => {
    await domain.stop();
    await services.close();
  };
  const actor = { type: 'system' as const, id: 'scale-test', name: 'scale test' };
  ({ tenantId } = await domain.identity.onboard({
    entraTenantId: CONTOSO_TENANT_ID,
    slug: 'contoso',
    displayName: 'Contoso',
    actor,
  }));
  await database.withTenant(tenantId, (tx) =>
    tx
      .insertInto('tenant_settings')
      .values({
        tenant_id: tenantId,
        key: RATE_LIMIT_TIER_SETTING,
        value: JSON.stringify('enterprise'),
        updated_at: new Date(),
      })
      .execute(),
  );
  writerToken = (await domain.tokens.create(tenantId, { name: 'scale writer', scopes: API_SCOPES, actor }))
    .token;
  readerToken = (await domain.tokens.create(tenantId, { name: 'scale reader', scopes: API_SCOPES, actor }))
    .token;

  haproxy = await startHaproxy({
    dir,
    port: frontendPort,
    certAndKey: `${leaf.cert}${ca.cert}${leaf.key}`,
    backends: webPorts.map((port, i) => ({ name: webName(i), port })),
    sourceAddress: PROXY_ADDRESS,
  });
  for (let i = 0; i < webPorts.length; i++) webs.push(startInstance('web', webEnv(i)));
  for (let i = 0; i < 2; i++) workers.push(startInstance('worker', env));
  for (let i = 0; i < webs.length; i++) await comesUp(i);
  dispatcher = new Agent({ connect: { ca: ca.cert } });
});

after(async () => {
  await Promise.all([...webs, ...workers].map((i) => stopInstance(i, 'SIGTERM')));
  await haproxy?.stop();
  await dispatcher?.close();
  await closeServices?.();
  await sb?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Waits until HAProxy puts web instance `i` in rotation; tells why not otherwise. */
async function comesUp(i: number): Promise<void> {
  await haproxy.waitFor(webName(i), 'UP', 120_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${webName(i)} said:\n${webs[i]?.output()}`);
  });
}

/** Polls `fn` every 50 ms until it returns a value. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await fn();
    if (value !== undefined) return value;
    await sleep(50);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

/** What a draining instance answered on its own port (bypassing HAProxy). */
interface DrainProbe {
  status: number;
  connection: string | undefined;
}

/**
 * SIGTERM to a web instance: its /readyz turns 503 (asking the client to close the connection),
 * HAProxy takes it out, the process exits 0 after the drain, and a fresh process on the same port
 * comes back into rotation.
 */
async function restartWeb(i: number, probes: DrainProbe[], exitCodes: (number | null)[]): Promise<void> {
  const old = webs[i];
  assert.ok(old);
  old.child.kill('SIGTERM');
  probes.push(
    await waitFor(
      `${webName(i)} draining`,
      async () => {
        const res = await request(`http://127.0.0.1:${webPorts[i]}/readyz`).catch(() => undefined);
        await res?.body.dump();
        if (!res || res.statusCode === 200) return undefined;
        const connection = res.headers.connection;
        return { status: res.statusCode, connection: Array.isArray(connection) ? connection[0] : connection };
      },
      10_000,
    ),
  );
  await haproxy.waitFor(webName(i), 'DOWN', 10_000);
  exitCodes.push(await old.exited);
  webs[i] = startInstance('web', webEnv(i));
  await comesUp(i);
}

/** SIGKILL to one worker mid-whatever; a new one starts a moment later. */
async function killWorker(): Promise<void> {
  const i = Math.floor(Math.random() * workers.length);
  const victim = workers[i];
  assert.ok(victim);
  await stopInstance(victim, 'SIGKILL');
  await sleep(300 + Math.random() * 700);
  workers[i] = startInstance('worker', env);
}

async function runStatuses(): Promise<{ status: string; error: unknown }[]> {
  return database.withTenant(tenantId, (tx) =>
    tx.selectFrom('provisioning_runs').select(['status', 'error']).execute(),
  );
}

/** Creates a request through HAProxy and approves it there; retries count as failures already. */
async function createAndApprove(tally: HttpTally, i: number): Promise<string> {
  const key = randomUUID();
  let created: CallResult | undefined;
  for (let attempt = 0; attempt < 5 && created?.status !== 201; attempt++) {
    created = await tally.call('POST', '/api/v1/requests', {
      token: writerToken,
      // A forged client address: HAProxy appends the real one, and only HAProxy's word is believed.
      headers: { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.7' },
      body: { template: 'scale', name: `Scale ${i}`, requester: upn('adele.vance'), metadata: {} },
    });
  }
  assert.ok(created?.status === 201, JSON.stringify(created?.body));
  const requestId = created.body.requestId as string;
  let view = created.body;
  for (let attempt = 0; attempt < 5 && view.status === 'pending_approval'; attempt++) {
    const approved = await tally.call('POST', `/api/v1/requests/${requestId}/approve`, {
      token: writerToken,
      body: {},
    });
    if (approved?.status === 200) view = approved.body;
  }
  assert.equal(view.status, 'approved', JSON.stringify(view));
  return requestId;
}

test(
  `${REQUESTS} requests provisioned through HAProxy while workers are killed and web instances restarted`,
  { timeout: 900_000 },
  async () => {
    const started = Date.now();
    const tally = createHttpTally(haproxy.url, dispatcher);

    // Only HAProxy reaches the instances: a direct call from another address is refused.
    const direct = await request(`http://127.0.0.1:${webPorts[0]}/api/v1/templates`, {
      headers: { authorization: `Bearer ${readerToken}`, 'x-forwarded-proto': 'https' },
    });
    const refusal = (await direct.body.json()) as { code?: string };
    assert.equal(direct.statusCode, 403, 'an instance refuses callers other than HAProxy');
    assert.equal(refusal.code, 'forbidden', JSON.stringify(refusal));

    const template = await tally.call('POST', '/api/v1/templates', {
      token: writerToken,
      body: { document: TEMPLATE },
    });
    assert.equal(template?.status, 201, JSON.stringify(template?.body));

    let reading = true;
    const readers = Array.from({ length: READERS }, async () => {
      while (reading) {
        await tally.call('GET', '/api/v1/requests?limit=10', { token: readerToken });
        // Together well under the token's own limit (3 000 a minute) for as long as the test runs.
        await sleep(60);
      }
    });

    let allDone = false;
    let kills = 0;
    const restarts = webs.map(() => 0);
    const drainProbes: DrainProbe[] = [];
    const webExitCodes: (number | null)[] = [];
    let maintenanceFailure: unknown;
    const maintenance = (async () => {
      const plan = ['worker', 'web', 'worker', 'web'] as const;
      for (let step = 0; ; step++) {
        const enough = kills >= 2 && restarts.every((n) => n >= 1);
        if (allDone && enough) break;
        await sleep(1000 + Math.random() * 1000);
        if (plan[step % plan.length] === 'worker') {
          await killWorker();
          kills++;
        } else {
          const i = Math.floor(step / 2) % webs.length;
          await restartWeb(i, drainProbes, webExitCodes);
          restarts[i] = (restarts[i] ?? 0) + 1;
        }
      }
    })().catch((error: unknown) => {
      maintenanceFailure = error;
    });

    let statuses: { status: string; error: unknown }[];
    try {
      const requestIds: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CREATORS }, async () => {
          while (next < REQUESTS) requestIds.push(await createAndApprove(tally, next++));
        }),
      );
      const createdIn = Date.now() - started;

      statuses = await waitFor(
        'every run finished',
        async () => {
          if (maintenanceFailure) throw maintenanceFailure;
          const rows = await runStatuses();
          return rows.length === REQUESTS && rows.every((r) => TERMINAL.includes(r.status))
            ? rows
            : undefined;
        },
        600_000,
      );
      allDone = true;
      await maintenance;
      if (maintenanceFailure) throw maintenanceFailure;
      reading = false;
      await Promise.all(readers);

      const graph = (await (await sb.fetch('/sandbox/api/faults')).json()) as {
        counters: { requests: number; throttled: number; throttledByLimit: Record<string, number> };
      };
      const budget429s = Object.entries(graph.counters.throttledByLimit)
        .filter(([limit]) => limit.startsWith('budget'))
        .reduce((sum, [, n]) => sum + n, 0);
      const stat = await haproxy.stats();
      const frontend = stat.find((r) => r.pxname === 'trellis' && r.svname === 'FRONTEND');
      const backend = stat.find((r) => r.pxname === 'trellis_web' && r.svname === 'BACKEND');
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(
        `scale test: ${REQUESTS} requests (created and approved in ${Math.round(createdIn / 1000)} s), ` +
          `${kills} worker kills, ${restarts.reduce((a, b) => a + b, 0)} web restarts, ` +
          `${tally.calls} HTTP requests through HAProxy (${tally.failures.length} failed; HAProxy: ` +
          `${frontend?.req_tot} requests, ${frontend?.hrsp_5xx} 5xx, ${backend?.wretr} retries, ` +
          `${backend?.wredis} redispatches), ${graph.counters.requests} Graph requests ` +
          `(${graph.counters.throttled} answered 429, ${budget429s} by the tenant's budget of ${GRAPH_BUDGET}/s), ${seconds} s`,
      );
      assert.ok(budget429s > 0, "the workers together reached the tenant's Graph budget");

      assert.deepEqual(tally.failures, [], 'no HTTP request through HAProxy failed');
      assert.equal(frontend?.hrsp_5xx, '0', 'HAProxy answered no 5xx');
      assert.equal(new Set(requestIds).size, REQUESTS);
      assert.ok(kills >= 2, `workers were killed ${kills} times`);
      assert.ok(
        restarts.every((n) => n >= 1),
        `each web instance was restarted (${restarts.join(', ')})`,
      );
      assert.deepEqual(
        webExitCodes.filter((c) => c !== 0),
        [],
        'each web instance drained and exited 0',
      );
      for (const probe of drainProbes) {
        assert.equal(probe.status, 503, 'a draining instance fails readiness');
        assert.equal(probe.connection, 'close', 'a draining instance closes keep-alive connections');
      }
    } finally {
      allDone = true;
      reading = false;
      await Promise.allSettled([maintenance, ...readers]);
    }

    assert.equal(statuses.length, REQUESTS, 'one run per request');
    assert.deepEqual(
      statuses.filter((r) => r.status !== 'completed'),
      [],
      'every run completed',
    );
    const requestRows = await database.withTenant(tenantId, (tx) =>
      tx.selectFrom('requests').select('requested_name').execute(),
    );
    assert.equal(requestRows.length, REQUESTS, 'no request created twice');
    assert.equal(new Set(requestRows.map((r) => r.requested_name)).size, REQUESTS);
    // The forged X-Forwarded-For was ignored: the audit trail holds the client's real address.
    const sources = await database.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('source_ip')
        .distinct()
        .where('actor_type', '=', 'api_token')
        .execute(),
    );
    assert.deepEqual(
      sources.map((s) => String(s.source_ip)),
      ['127.0.0.1'],
    );

    // Exactly one of each object in the sandbox.
    const contoso = sb.sandbox.ctx.store.state.tenants.find((t) => t.id === CONTOSO_TENANT_ID);
    assert.ok(contoso);
    const graph = graphOf(contoso);
    const groups = contoso.directory.groups.filter((g) => /^scl-scale-\d+$/.test(g.mailNickname));
    assert.equal(groups.length, REQUESTS, 'one group per request');
    assert.equal(new Set(groups.map((g) => g.mailNickname)).size, REQUESTS, 'no group created twice');
    for (const group of groups) {
      const where = group.mailNickname;
      assert.equal(graph.teams.filter((t) => t.id === group.id).length, 1, `${where}: one team`);
      assert.deepEqual(
        graph.channels
          .filter((c) => c.teamId === group.id)
          .map((c) => c.displayName)
          .sort(),
        ['General', 'Ops'],
        `${where}: channels`,
      );
      assert.equal(new Set(group.ownerIds).size, group.ownerIds.length, `${where}: no owner added twice`);
    }
  },
);
