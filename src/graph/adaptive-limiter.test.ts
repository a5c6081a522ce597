import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAdaptiveLimiter } from './adaptive-limiter.ts';

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
