import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { type Cache, createRedisCache } from '../../src/cache/index.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Db, openDatabase } from '../../src/db/index.ts';
import {
  createCacheThrottleState,
  createGraphClient,
  createPostgresThrottleState,
  type GraphClient,
  GraphError,
  type TenantThrottleState,
} from '../../src/graph/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { sandboxEnv } from '../helpers/provisioning.ts';
import { sandboxFaults, startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { createTestDatabase } from './postgres.ts';

/*
 * Two Graph clients, standing in for two worker processes, against the sandbox with one throttling budget
 * for the app in the tenant, sharing the tenant's throttle state through the machine's Redis or
 * PostgreSQL (each client with its own connection, as processes have), and, for comparison, without it.
 * Everything is counted by the sandbox: requests it received and the 429s it answered.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `trellis-test:${randomUUID()}:`;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Requests of each client in the burst, and the budget they share (requests per second). */
const BURST = 15;
const BURST_BUDGET = 10;
const JOIN_MS = 300;

type Counters = { requests: number; throttled: number };

let sb: TestSandbox;
let dir: string;
let config: Config;
let userIds: string[];
const closers: (() => Promise<void>)[] = [];

before(async () => {
  sb = await startTestSandbox({ faults: 'none', persist: false });
  const tenant = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(tenant);
  userIds = tenant.directory.users.map((u) => u.id);
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-throttle-'));
  config = loadConfig({ DATA_DIR: dir, ...sandboxEnv(sb) });
});

after(async () => {
  for (const close of closers.toReversed()) await close();
  await sb?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const faults = (body?: unknown) => sandboxFaults<{ counters: Counters }>(sb, body);

const counters = async () => (await faults()).counters;

/** Throttling by a budget of `perSecond` requests for the app in the tenant; buckets and counters afresh. */
const budget = (perSecond: number) =>
  faults({
    profile: 'none',
    latency: { distribution: 'fixed', minMs: 2, maxMs: 2 },
    throttling: { enabled: true, factor: 1, tenantPerSecond: perSecond },
  });

/** Two clients with a token each already (MSAL's requests are not Graph's), sharing `states` if given. */
async function pair(states?: readonly [TenantThrottleState, TenantThrottleState]): Promise<GraphClient[]> {
  const graphs = [0, 1].map((i) =>
    createGraphClient({
      config,
      log: createLogger('silent'),
      ...(states ? { throttle: states[i] } : {}),
    }),
  );
  for (const graph of graphs) {
    closers.push(() => graph.close());
    await graph.accessToken(CONTOSO_TENANT_ID, GRAPH_SCOPE);
  }
  return graphs;
}

const readUser = (graph: GraphClient, i: number, retry?: { maxAttempts: number }) =>
  graph
    .forTenant(CONTOSO_TENANT_ID)
    .request('GET', `/users/${userIds[i % userIds.length]}`, { query: { select: ['id'] }, retry });

/**
 * The first client reads until Graph answers 429 (no retries); then the second reads once. Returns what
 * the sandbox counted for the second's read.
 */
async function throttleOneThenReadOther([a, b]: GraphClient[]): Promise<Counters> {
  assert.ok(a && b);
  await budget(2);
  let throttled: GraphError | undefined;
  for (let i = 0; i < 10 && !throttled; i++) {
    await readUser(a, i, { maxAttempts: 1 }).catch((e: unknown) => {
      if (e instanceof GraphError && e.status === 429) throttled = e;
      else throw e;
    });
  }
  assert.ok(throttled, 'the budget of 2 requests answered 429 within 10');
  assert.ok((throttled.retryAfterMs ?? 0) >= 1_000);
  // The 429 is published as it arrives; give it the time to land.
  await new Promise((r) => setTimeout(r, 50));
  const before = await counters();
  await readUser(b, 0);
  const after = await counters();
  return { requests: after.requests - before.requests, throttled: after.throttled - before.throttled };
}

/**
 * BURST reads from each client under a budget of BURST_BUDGET/s, the second client joining JOIN_MS after
 * the first (as workers pick runs up at different times): what the sandbox counted, and the reads that
 * ran out of retries.
 */
async function burst([a, b]: GraphClient[]): Promise<Counters & { failed: number }> {
  assert.ok(a && b);
  await budget(BURST_BUDGET);
  const reads = (graph: GraphClient) => Array.from({ length: BURST }, (_, i) => readUser(graph, i));
  const first = reads(a);
  await new Promise((r) => setTimeout(r, JOIN_MS));
  const settled = await Promise.allSettled([...first, ...reads(b)]);
  for (const s of settled) if (s.status === 'rejected') assert.ok(s.reason instanceof GraphError, s.reason);
  const seen = await counters();
  return {
    requests: seen.requests,
    throttled: seen.throttled,
    failed: settled.filter((s) => s.status === 'rejected').length,
  };
}

/** The burst without shared state, run once for every comparison (first in file order). */
let unsharedBurst: Promise<Counters & { failed: number }> | undefined;
const alone = () => (unsharedBurst ??= pair().then(burst));

describe('without shared throttle state (each process alone)', () => {
  test('a 429 seen by one process does not stop the other: its read is throttled too', async () => {
    const seen = await throttleOneThenReadOther(await pair());
    assert.ok(seen.throttled >= 1, `the other process sent into the pause (${JSON.stringify(seen)})`);
  });

  test('a burst through both processes', async (t) => {
    const unshared = await alone();
    t.diagnostic(`alone: ${JSON.stringify(unshared)}`);
    assert.ok(unshared.throttled > 0);
  });
});

function sharedSuite(name: string, open: () => Promise<[TenantThrottleState, TenantThrottleState]>) {
  describe(`throttle state shared through ${name}`, () => {
    test('a 429 seen by one process pauses the other until Retry-After', async () => {
      const seen = await throttleOneThenReadOther(await pair(await open()));
      assert.deepEqual(seen, { requests: 1, throttled: 0 }, 'the other read waited for the pause to end');
    });

    test('a burst through both completes without exhausting retries, with fewer 429s than alone', async (t) => {
      const graphs = await pair(await open());
      const shared = await burst(graphs);
      const unshared = await alone();
      t.diagnostic(`${name}: ${JSON.stringify(shared)} (alone: ${JSON.stringify(unshared)})`);
      assert.equal(shared.failed, 0, 'no read ran out of retries');
      assert.equal(shared.requests - shared.throttled, 2 * BURST, 'every read was answered once');
      assert.ok(
        shared.throttled < unshared.throttled,
        `fewer 429s shared (${shared.throttled}) than alone (${unshared.throttled})`,
      );
      const stats = graphs.map((g) => g.stats(CONTOSO_TENANT_ID));
      assert.deepEqual(
        stats.map((s) => s.peers),
        [2, 2],
        'each counts the other as a peer',
      );
    });
  });
}

sharedSuite('Redis', async () => {
  // One connection per process, one key space per cluster (each test starts a new one).
  const prefix = `${PREFIX}${randomUUID()}:`;
  const caches: Cache[] = [createRedisCache(REDIS_URL, { prefix }), createRedisCache(REDIS_URL, { prefix })];
  for (const cache of caches) closers.push(() => cache.close());
  const [a, b] = caches.map((cache) => createCacheThrottleState({ cache }));
  assert.ok(a && b);
  return [a, b];
});

sharedSuite('PostgreSQL', async () => {
  const database = await createTestDatabase();
  closers.push(() => database.drop());
  const dbs: Db[] = [];
  for (let i = 0; i < 2; i++) {
    const db = await openDatabase({ url: database.url, dataDir: dir });
    closers.push(() => db.close());
    await db.migrate();
    dbs.push(db);
  }
  const [a, b] = dbs.map((db) => createPostgresThrottleState({ db }));
  assert.ok(a && b);
  return [a, b];
});

describe('Redis setIfGreater (the Lua compare-and-set)', () => {
  test('keeps the greatest value, atomically, and returns it', async () => {
    const cache = createRedisCache(REDIS_URL, { prefix: PREFIX });
    closers.push(() => cache.close());
    const setIfGreater = cache.setIfGreater?.bind(cache);
    assert.ok(setIfGreater);
    const key = `max:${randomUUID()}`;
    assert.equal(await setIfGreater(key, 5.5, 10_000), 5.5);
    assert.equal(await setIfGreater(key, 3, 10_000), 5.5);
    assert.equal(await cache.get(key), 5.5);
    // Many writers at once, as many processes publishing one burst of 429s: the greatest stays.
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000);
    await Promise.all(values.map((v) => setIfGreater(key, v, 10_000)));
    assert.equal(await cache.get(key), Math.max(...values));
    const expiring = `max:${randomUUID()}`;
    await setIfGreater(expiring, 1, 100);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await cache.get(expiring), undefined);
  });
});
