import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryCache } from '../cache/index.ts';
import { type AdaptiveLimiter, createAdaptiveLimiter } from './adaptive-limiter.ts';
import type { TenantThrottle } from './tenant-throttle-state.ts';
import { createCacheThrottleState } from './tenant-throttle-state-cache.ts';

describe('adaptive limiter', () => {
  it('grows while requests succeed, up to its maximum', async () => {
    const limiter = createAdaptiveLimiter({ max: 6 });
    assert.equal(limiter.stats().limit, 4);
    for (let i = 0; i < 60; i++) (await limiter.acquire())({ throttled: false });
    assert.equal(limiter.stats().limit, 6);
    assert.equal(limiter.stats().requests, 60);
  });

  it('never lets more than the limit run at once', async () => {
    const limiter = createAdaptiveLimiter({ max: 4 });
    const releases = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire()));
    let fifth = false;
    const pending = limiter.acquire().then((release) => {
      fifth = true;
      return release;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(fifth, false);
    assert.equal(limiter.stats().queued, 1);
    releases[0]?.({ throttled: false });
    (await pending)({ throttled: false });
    assert.equal(fifth, true);
    for (const r of releases.slice(1)) r?.({ throttled: false });
    assert.equal(limiter.stats().maxInFlight, 4);
  });

  it('halves on a 429 and holds every request of the tenant until Retry-After has passed', async () => {
    let clock = 1_000_000;
    const limiter = createAdaptiveLimiter({ max: 8, now: () => clock });
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    a({ throttled: true, retryAfterMs: 50 });
    // A second 429 of the same burst does not halve again.
    b({ throttled: true, retryAfterMs: 50 });
    assert.equal(limiter.stats().limit, 2);
    assert.equal(limiter.stats().throttled, 2);
    let granted = false;
    const next = limiter.acquire().then((release) => {
      granted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(granted, false, 'no request may start during the pause');
    clock += 60;
    (await next)({ throttled: false });
    assert.equal(granted, true);
  });

  it('drops a waiter whose signal aborts', async () => {
    const limiter = createAdaptiveLimiter({ max: 1 });
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal(limiter.stats().queued, 0);
    held({ throttled: false });
  });
});

/*
 * Several processes sharing one tenant's throttling, each played by a limiter over the in-memory
 * throttle state of one shared cache, on a fake clock. The background refresh runs on real timers
 * (every 5 ms here) but reads only when the fake clock says a refresh is due: `advance` moves the clock
 * and lets the refreshes run.
 */
describe('adaptive limiter with shared throttle state', () => {
  const TENANT = '6b7a0f1e-0000-4000-8000-000000000001';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  function cluster(refreshMs = 5) {
    let clock = 1_000_000;
    const now = () => clock;
    const cache = createMemoryCache();
    const limiters: AdaptiveLimiter[] = [];
    const member = (max = 16) => {
      const limiter = createAdaptiveLimiter({
        max,
        now,
        shared: createCacheThrottleState({ cache, now, refreshMs }).tenant(TENANT),
      });
      limiters.push(limiter);
      return limiter;
    };
    return {
      member,
      advance: async (ms: number) => {
        clock += ms;
        await sleep(25);
      },
      close: () => {
        for (const l of limiters) l.close();
      },
    };
  }

  const succeed = async (limiter: AdaptiveLimiter, times = 1) => {
    for (let i = 0; i < times; i++) (await limiter.acquire())({ throttled: false });
  };
  const granted = (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    return () => done;
  };

  it('a 429 seen by one process pauses the others until Retry-After and halves their limit once', async () => {
    const c = cluster();
    const a = c.member();
    const b = c.member();
    await succeed(a);
    await succeed(b);
    await c.advance(10);
    const before = b.stats().limit;
    (await a.acquire())({ throttled: true, retryAfterMs: 200 });
    await c.advance(10);
    assert.ok(Math.abs(b.stats().limit - before / 2) <= 0.01, `b halved on a’s 429 (${b.stats().limit})`);
    assert.equal(b.stats().throttled, 0, 'b itself was never throttled');
    const next = b.acquire();
    const isGranted = granted(next);
    await sleep(30);
    assert.equal(isGranted(), false, 'b sends nothing during a’s pause');
    await c.advance(200);
    (await next)({ throttled: false });
    assert.equal(isGranted(), true);
    assert.equal(b.stats().limit > before / 2, true, 'and grows again afterwards');
    c.close();
  });

  it('after an idle spell, the first request reads the shared state before it leaves', async () => {
    const c = cluster();
    const a = c.member();
    const b = c.member();
    await succeed(b);
    await c.advance(5_000); // b idle: its refresh has stopped, its view is old
    await succeed(a);
    (await a.acquire())({ throttled: true, retryAfterMs: 100 });
    await sleep(5);
    const first = b.acquire();
    const isGranted = granted(first);
    await sleep(30);
    assert.equal(isGranted(), false, 'b learnt of the pause before sending');
    await c.advance(100);
    (await first)({ throttled: false });
    c.close();
  });

  it('one burst of 429s across processes is one decrease: every limit halves once', async () => {
    const c = cluster();
    const [a, b, quiet] = [c.member(), c.member(), c.member()];
    await Promise.all([succeed(a), succeed(b), succeed(quiet)]);
    await c.advance(10);
    const limits = [a, b, quiet].map((l) => l.stats().limit);
    // Both answered 429 before either read the other's news.
    const [ra, rb] = [await a.acquire(), await b.acquire()];
    ra({ throttled: true, retryAfterMs: 50 });
    rb({ throttled: true, retryAfterMs: 50 });
    await c.advance(10);
    await c.advance(10);
    const halved = [a, b, quiet].map((l, i) => Math.abs(l.stats().limit - (limits[i] ?? 0) / 2) <= 0.01);
    assert.deepEqual(
      halved,
      [true, true, true],
      `${limits.join(', ')} → ${[a, b, quiet].map((l) => l.stats().limit).join(', ')}`,
    );
    c.close();
  });

  it('a process resumes only when the longest pause any process was given has ended', async () => {
    // No background refresh in between: the end of a's pause itself consults the store.
    const c = cluster(60_000);
    const a = c.member();
    const b = c.member();
    await Promise.all([succeed(a), succeed(b)]);
    await c.advance(10);
    (await a.acquire())({ throttled: true, retryAfterMs: 50 });
    (await b.acquire())({ throttled: true, retryAfterMs: 300 });
    const next = a.acquire();
    const isGranted = granted(next);
    await c.advance(60);
    await sleep(60);
    assert.equal(isGranted(), false, 'a’s own Retry-After has passed, b’s has not');
    await c.advance(250);
    (await next)({ throttled: false });
    assert.equal(isGranted(), true);
    c.close();
  });

  it('shares additive increase out among the processes sending to the tenant', async () => {
    const c = cluster();
    const lone = createAdaptiveLimiter({ max: 64 });
    const a = c.member(64);
    const b = c.member(64);
    await Promise.all([succeed(a), succeed(b)]);
    await c.advance(10);
    assert.equal(a.stats().peers, 2);
    assert.equal(lone.stats().peers, 1);
    await succeed(lone, 40);
    await Promise.all([succeed(a, 40), succeed(b, 40)]);
    // Alone: limit² grows by 2 a request (4 → about 9.8 after 40); each of two: by 1 (about 7.5).
    assert.ok(lone.stats().limit > 9, `lone ${lone.stats().limit}`);
    assert.ok(a.stats().limit < 8 && b.stats().limit < 8, `a ${a.stats().limit}, b ${b.stats().limit}`);
    c.close();
  });

  it('with the in-memory state and one process, limits and pauses are those without shared state', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const alone = createAdaptiveLimiter({ max: 12, now });
    const withState = createAdaptiveLimiter({
      max: 12,
      now,
      shared: createCacheThrottleState({ cache: createMemoryCache(), now, refreshMs: 5 }).tenant(TENANT),
    });
    // Retry-After of each request's answer (0: not throttled).
    const script = [...Array<number>(30).fill(0), 40, 0, 0, 40, ...Array<number>(10).fill(0), 40, 0];
    for (const retryAfterMs of script) {
      for (const limiter of [alone, withState]) {
        const release = await limiter.acquire();
        release(retryAfterMs ? { throttled: true, retryAfterMs } : { throttled: false });
      }
      // Past the pause, and past the one-decrease-per-second spacing every other time.
      if (retryAfterMs) clock += clock % 2 === 0 ? 1_001 : 50;
      const { peers: _a, ...x } = alone.stats();
      const { peers: _b, ...y } = withState.stats();
      assert.deepEqual(y, x);
    }
    withState.close();
  });

  it('a failing store never fails a request: the limiter goes on alone and reports the outage once', async () => {
    const events: boolean[] = [];
    let failing = true;
    const shared: TenantThrottle = {
      refreshMs: 5,
      read: () =>
        failing
          ? Promise.reject(new Error('connect ECONNREFUSED'))
          : Promise.resolve({ pauseMs: 0, epoch: 0, peers: 1 }),
      publish: () => (failing ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(0)),
    };
    let clock = 1_000_000;
    const limiter = createAdaptiveLimiter({
      max: 4,
      now: () => clock,
      shared,
      onShared: (e) => events.push(e.ok),
    });
    await succeed(limiter, 5);
    (await limiter.acquire())({ throttled: true, retryAfterMs: 40 });
    const next = limiter.acquire();
    const isGranted = granted(next);
    await sleep(20);
    assert.equal(isGranted(), false, 'the local pause still holds');
    clock += 50;
    (await next)({ throttled: false });
    assert.deepEqual(events, [false], 'one report for the whole outage');
    failing = false;
    clock += 10_000; // the outage retry is due
    await succeed(limiter);
    await sleep(30);
    assert.deepEqual(events, [false, true]);
    limiter.close();
  });

  it('a store that does not answer holds a request briefly, then the limiter goes on alone', async () => {
    const limiter = createAdaptiveLimiter({
      max: 4,
      shared: { refreshMs: 5, read: () => new Promise(() => {}), publish: () => new Promise(() => {}) },
    });
    const started = performance.now();
    await succeed(limiter);
    const waited = performance.now() - started;
    assert.ok(waited >= 250 && waited < 900, `waited ${Math.round(waited)} ms`);
    const again = performance.now();
    await succeed(limiter, 3);
    assert.ok(performance.now() - again < 100, 'requests no longer wait for it');
    limiter.close();
  });
});
