import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Cache, createMemoryCache } from '../cache/index.ts';
import { type Db, openDatabase } from '../db/index.ts';
import { createLogger } from '../telemetry/index.ts';
import {
  createTenantThrottleState,
  describeStoreFailure,
  logThrottleStateHealth,
  type TenantThrottleState,
} from './tenant-throttle-state.ts';
import { createCacheThrottleState } from './tenant-throttle-state-cache.ts';
import { createPostgresThrottleState } from './tenant-throttle-state-postgres.ts';

/**
 * What every throttle store must do, for two processes `a` and `b` of one cluster: the longest pause
 * wins, decreases based on the same knowledge are one epoch, both count as peers, tenants stay apart.
 */
function throttleStoreContract(
  name: string,
  open: () => Promise<[TenantThrottleState, TenantThrottleState]>,
) {
  describe(`throttle store: ${name}`, () => {
    let a: TenantThrottleState;
    let b: TenantThrottleState;
    before(async () => {
      [a, b] = await open();
    });

    it('a tenant nobody throttled is not paused and has epoch 0', async () => {
      const view = await a.tenant(randomUUID()).read();
      assert.equal(view.pauseMs, 0);
      assert.equal(view.epoch, 0);
      assert.equal(view.peers, 1);
    });

    it('a pause one process publishes is seen by the other; a shorter one does not shorten it', async () => {
      const tenant = randomUUID();
      await a.tenant(tenant).publish({ pauseMs: 3_000, decrease: false, knownEpoch: 0 });
      await b.tenant(tenant).publish({ pauseMs: 500, decrease: false, knownEpoch: 0 });
      const seen = await b.tenant(tenant).read();
      assert.ok(seen.pauseMs > 2_000 && seen.pauseMs <= 3_000, `pauseMs ${seen.pauseMs}`);
      assert.equal((await a.tenant(randomUUID()).read()).pauseMs, 0, 'another tenant is not paused');
    });

    it('a pause ends', async () => {
      const tenant = randomUUID();
      await a.tenant(tenant).publish({ pauseMs: 100, decrease: false, knownEpoch: 0 });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal((await b.tenant(tenant).read()).pauseMs, 0);
    });

    it('decreases from the same knowledge are one epoch; a later one is the next', async () => {
      const tenant = randomUUID();
      const [ea, eb] = await Promise.all([
        a.tenant(tenant).publish({ pauseMs: 100, decrease: true, knownEpoch: 0 }),
        b.tenant(tenant).publish({ pauseMs: 100, decrease: true, knownEpoch: 0 }),
      ]);
      assert.deepEqual([ea, eb], [1, 1]);
      assert.equal(await a.tenant(tenant).publish({ pauseMs: 100, decrease: false, knownEpoch: 1 }), 1);
      assert.equal(await b.tenant(tenant).publish({ pauseMs: 100, decrease: true, knownEpoch: 1 }), 2);
      assert.equal((await a.tenant(tenant).read()).epoch, 2);
    });

    it('counts the processes reading a tenant as its peers', async () => {
      const tenant = randomUUID();
      const ta = a.tenant(tenant);
      const tb = b.tenant(tenant);
      assert.equal((await ta.read()).peers, 1);
      assert.equal((await tb.read()).peers, 2);
      assert.equal((await ta.read()).peers, 2);
      assert.equal((await a.tenant(randomUUID()).read()).peers, 1, 'peers are per tenant');
    });
  });
}

const cache: Cache = createMemoryCache();
throttleStoreContract('in-memory cache', async () => [
  createCacheThrottleState({ cache }),
  createCacheThrottleState({ cache }),
]);

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-throttle-'));
let db: Db | undefined;
after(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});
// The PostgreSQL store on embedded PGlite, through migration 0011 and as the application role.
throttleStoreContract('PostgreSQL (embedded PGlite)', async () => {
  db = await openDatabase({ url: undefined, dataDir: dir });
  await db.migrate();
  return [createPostgresThrottleState({ db, beatMs: 0 }), createPostgresThrottleState({ db, beatMs: 0 })];
});

describe('throttle state selection and logging', () => {
  it('Redis when the cache is Redis, PostgreSQL when the database is a server, else memory', () => {
    const redis = { ...createMemoryCache(), name: 'redis' } as const satisfies Cache;
    const memory = createMemoryCache();
    const pglite = { kind: 'pglite' } as Db;
    const postgres = { kind: 'postgres' } as Db;
    assert.equal(createTenantThrottleState({ cache: redis, db: postgres }).kind, 'redis');
    assert.equal(createTenantThrottleState({ cache: memory, db: postgres }).kind, 'postgres');
    assert.equal(createTenantThrottleState({ cache: memory, db: pglite }).kind, 'memory');
  });

  it('logs an outage once at warn, without credentials, and its end once', () => {
    const lines: { level: string; msg: string; error?: { message: string } }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const report = logThrottleStateHealth(createLogger('info', sink), 'redis');
    const failure = new Error('connect to redis://trellis:s3cret@cache.internal:6379 failed');
    report({ ok: false, error: failure });
    report({ ok: false, error: failure });
    report({ ok: true });
    report({ ok: true });
    assert.deepEqual(
      lines.map((l) => l.level),
      ['warn', 'info'],
    );
    assert.doesNotMatch(JSON.stringify(lines), /s3cret/);
    assert.match(lines[0]?.error?.message ?? '', /redis:\/\/\[redacted\]@cache\.internal/);
    assert.deepEqual(describeStoreFailure('plain'), { type: 'string', message: 'plain' });
  });
});
