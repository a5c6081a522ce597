import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

let a: TestTrellis;
let b: TestTrellis;
before(async () => {
  // Counters are per client IP (127.0.0.1 here) and live a minute: start from a clean window.
  const redis = new Redis(REDIS_URL);
  const stale = await redis.keys('trellis:rl:*');
  if (stale.length > 0) await redis.del(...stale);
  await redis.quit();
  // Two instances sharing one Redis, as behind a load balancer: the limit is the cluster's, not each one's.
  const env = { REDIS_URL, RATE_LIMIT_PER_MINUTE: '6', LOG_LEVEL: 'silent' };
  a = await startTestTrellis(env);
  b = await startTestTrellis(env);
});
after(async () => {
  await a?.close();
  await b?.close();
});

test('the per-IP rate limit is shared across instances through Redis and answers 429 with Retry-After', async () => {
  const path = `/api/v1/limited-${randomUUID()}`;
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 8; i++) {
    const res = (await (i % 2 === 0 ? a : b).fetch(path)) as unknown as Response;
    statuses.push(res.status);
    if (res.status === 429) limited = res;
    else await res.body?.cancel();
  }
  // 6 allowed in total across both instances (404: the route does not exist), then refused.
  assert.deepEqual(statuses, [404, 404, 404, 404, 404, 404, 429, 429]);
  assert.ok(limited);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  const problem = (await limited.json()) as { code: string; status: number };
  assert.equal(problem.code, 'rate_limited');
  assert.equal(problem.status, 429);
});
