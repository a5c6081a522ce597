import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { Cache } from '../../src/cache/index.ts';

/** The behaviour every Cache backend must have; run against memory and Redis alike. */
export function cacheContract(name: string, open: () => Promise<Cache> | Cache): void {
  describe(`cache contract: ${name}`, () => {
    let cache: Cache | undefined;
    const get = async () => {
      cache ??= await open();
      return cache;
    };
    const key = () => `contract:${randomUUID()}`;
    after(async () => cache?.close());

    test('stores JSON values and reads them back equal, not shared', async () => {
      const c = await get();
      const k = key();
      const value = { a: 1, list: ['x', 'y'], nested: { ok: true } };
      await c.set(k, value, 60_000);
      const back = await c.get<typeof value>(k);
      assert.deepEqual(back, value);
      assert.notEqual(back, value);
    });

    test('a missing key is undefined', async () => {
      assert.equal(await (await get()).get(key()), undefined);
    });

    test('entries expire after their TTL', async () => {
      const c = await get();
      const k = key();
      await c.set(k, 'soon gone', 150);
      assert.equal(await c.get(k), 'soon gone');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await c.get(k), undefined);
    });

    test('delete removes; deleting a missing key is fine', async () => {
      const c = await get();
      const k = key();
      await c.set(k, 1, 60_000);
      await c.delete(k);
      assert.equal(await c.get(k), undefined);
      await c.delete(k);
    });

    test('increment counts within a fixed window and restarts after it', async () => {
      const c = await get();
      const k = key();
      assert.equal(await c.increment(k, 300), 1);
      assert.equal(await c.increment(k, 300), 2);
      assert.equal(await c.increment(k, 300, 5), 7);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await c.increment(k, 300), 1);
    });

    test('ping answers', async () => {
      await (await get()).ping();
    });
  });
}
