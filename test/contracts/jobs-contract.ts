import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/index.ts';
import { createJobQueue, type JobQueue } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';

/** Waits until `predicate` holds (or fails after `ms`). */
async function until(predicate: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(predicate(), what);
}

/**
 * The durable job queue's promises, on any database: jobs enqueued in a transaction exist only if
 * it commits, failures are retried, singleton keys dedupe and, with two queues on one database
 * (separate processes), each job runs once.
 */
export function jobsContract(open: () => Promise<{ db: Db; close: () => Promise<void>; shared: boolean }>) {
  let db: Db;
  let close: () => Promise<void>;
  let shared: boolean;
  let queue: JobQueue;
  let second: JobQueue | undefined;
  const tenantId = randomUUID();
  const ran: {
    queue: string;
    id: string;
    data: { n: number; marker?: string };
    retryCount: number;
    signal?: AbortSignal;
    by: string;
  }[] = [];
  let failuresLeft = 2;
  let unhang!: () => void;
  const hung = new Promise<void>((resolve) => {
    unhang = resolve;
  });

  const define = (q: JobQueue, by: string) => {
    q.define<{ n: number }>('contract.plain', { retryLimit: 0, concurrency: 4 }, async (job) => {
      ran.push({ queue: 'plain', ...job, by });
    });
    q.define<{ n: number }>('contract.short', { policy: 'short' }, async (job) => {
      ran.push({ queue: 'short', ...job, by });
    });
    q.define<{ n: number }>(
      'contract.hang',
      { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: false, expireInSeconds: 2 },
      async (job) => {
        ran.push({ queue: 'hang', ...job, by });
        // The first run never finishes, as if its worker hung or died; expiry hands the job on.
        if (job.retryCount === 0) await hung;
      },
    );
    q.define<{ n: number }>(
      'contract.flaky',
      { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: false },
      async (job) => {
        ran.push({ queue: 'flaky', ...job, by });
        if (failuresLeft-- > 0) throw new Error('transient');
      },
    );
  };

  before(async () => {
    ({ db, close, shared } = await open());
    await db.migrate();
    await db.withPlatform((tx) =>
      tx
        .insertInto('tenants')
        .values({ tenant_id: tenantId, slug: `jobs-${tenantId.slice(0, 8)}`, display_name: 'Jobs' })
        .execute(),
    );
    const log = createLogger('silent');
    queue = createJobQueue({ db, log, monitorIntervalSeconds: 1 });
    define(queue, 'first');
    await queue.start();
    if (shared) {
      second = createJobQueue({ db, log, monitorIntervalSeconds: 1 });
      define(second, 'second');
      await second.start();
    }
  });
  after(async () => {
    unhang();
    await queue.stop(2000);
    await second?.stop(2000);
    await close();
  });

  test('a job enqueued in a committed transaction runs; one in a rolled-back transaction never does', async () => {
    const marker = randomUUID();
    await db.withTenant(tenantId, (tx) => queue.send('contract.plain', { n: 1, marker }, { tx }));
    await assert.rejects(
      db.withTenant(tenantId, async (tx) => {
        await queue.send('contract.plain', { n: 2, marker }, { tx });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await until(
      () => ran.some((r) => r.data.marker === marker && r.data.n === 1),
      15_000,
      'committed job ran',
    );
    // Give the rolled-back one every chance to show up.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(
      ran.filter((r) => r.data.marker === marker).map((r) => r.data.n),
      [1],
    );
  });

  test('a failing job is retried until it succeeds', async () => {
    await queue.send('contract.flaky', { n: 7 });
    await until(() => ran.filter((r) => r.queue === 'flaky').length >= 3, 20_000, 'three attempts');
    const attempts = ran.filter((r) => r.queue === 'flaky');
    assert.deepEqual(
      attempts.map((r) => r.retryCount),
      [0, 1, 2],
    );
    assert.equal(new Set(attempts.map((r) => r.id)).size, 1, 'the same job, retried');
  });

  test('a failing job backs off exponentially between attempts', async () => {
    const log = createLogger('silent');
    const timed = createJobQueue({ db, log });
    const at: number[] = [];
    timed.define(
      'contract.backoff',
      { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true },
      async () => {
        at.push(Date.now());
        throw new Error('always');
      },
    );
    await timed.start();
    try {
      await timed.send('contract.backoff', { n: 0 });
      await until(() => at.length >= 3, 20_000, 'three attempts');
      const [a = 0, b = 0, c = 0] = at;
      assert.ok(b - a >= 900, `first retry waited ${b - a} ms`);
      assert.ok(c - b >= b - a - 500, `second retry waited ${c - b} ms, first ${b - a} ms`);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(at.length, 3, 'no attempt beyond the retry limit');
    } finally {
      await timed.stop(1000);
    }
  });

  test('a job whose worker stopped mid-run is picked up again by another worker', async () => {
    const log = createLogger('silent');
    const runs: { retryCount: number; by: string }[] = [];
    let finished = 0;
    const make = (by: string) => {
      const q = createJobQueue({ db, log });
      q.define('contract.slow', { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: false }, async (job) => {
        runs.push({ retryCount: job.retryCount, by });
        if (by === 'doomed') {
          await new Promise((r) => {
            const timer = setTimeout(r, 10_000);
            job.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              r(undefined);
            });
          });
          return;
        }
        finished++;
      });
      return q;
    };
    const doomed = make('doomed');
    await doomed.start();
    await doomed.send('contract.slow', { n: 0 });
    await until(() => runs.length === 1, 15_000, 'the first run started');
    await doomed.stop(1000);
    const survivor = make('survivor');
    await survivor.start();
    try {
      await until(() => finished === 1, 15_000, 'the survivor ran the job');
      assert.deepEqual(
        runs.map((r) => r.by),
        ['doomed', 'survivor'],
      );
      assert.equal(runs[1]?.retryCount, 1);
    } finally {
      await survivor.stop(1000);
    }
  });

  test('a run that never finishes expires and is retried', async () => {
    await queue.send('contract.hang', { n: 9 });
    await until(
      () => ran.some((r) => r.queue === 'hang' && r.retryCount === 1),
      20_000,
      'the expired run was retried',
    );
  });

  test('a singleton key keeps one queued job per key', async () => {
    const key = randomUUID();
    const later = Date.now() + 60_000;
    const first = await queue.send('contract.short', { n: 3 }, { singletonKey: key, startAfter: later });
    const duplicate = await queue.send('contract.short', { n: 3 }, { singletonKey: key, startAfter: later });
    assert.ok(first);
    assert.equal(duplicate, null);
  });

  test('jobs are shared between queues on one database and each runs once', async (t) => {
    if (!shared) return t.skip('one process per embedded database');
    const marker = randomUUID();
    for (let n = 0; n < 20; n++) await queue.send('contract.plain', { n, marker });
    await until(() => ran.filter((r) => r.data.marker === marker).length >= 20, 20_000, 'all 20 ran');
    await new Promise((r) => setTimeout(r, 1000));
    const mine = ran.filter((r) => r.data.marker === marker);
    assert.equal(mine.length, 20, 'no job ran twice');
    assert.equal(new Set(mine.map((r) => r.id)).size, 20);
  });
}
