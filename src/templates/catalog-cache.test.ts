import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { type Cache, createMemoryCache } from '../cache/index.ts';
import { createLogger } from '../telemetry/index.ts';
import { createCatalogCache } from './catalog-cache.ts';

const log = createLogger('silent');

/** A loader that counts its calls and answers `value`. */
function loader<T>(value: T) {
  const counter = {
    calls: 0,
    load: async () => {
      counter.calls++;
      return value;
    },
  };
  return counter;
}

describe('catalog cache', () => {
  test('reads through: the same read loads once, other parts load on their own', async () => {
    const catalog = createCatalogCache({ cache: createMemoryCache(), log });
    const tenant = randomUUID();
    const rows = loader([{ slug: 'project' }]);
    const reads = await catalog.open(tenant);
    assert.deepEqual(await reads.read('scan', { q: null }, rows.load), [{ slug: 'project' }]);
    assert.deepEqual(await (await catalog.open(tenant)).read('scan', { q: null }, rows.load), [
      { slug: 'project' },
    ]);
    assert.equal(rows.calls, 1);
    await reads.read('scan', { q: 'sales' }, rows.load);
    assert.equal(rows.calls, 2, 'another filter is another entry');
  });

  test('a cached null (not found) is a hit, not a miss', async () => {
    const catalog = createCatalogCache({ cache: createMemoryCache(), log });
    const missing = loader(null);
    const reads = await catalog.open(randomUUID());
    assert.equal(await reads.read('row', 'nope', missing.load), null);
    assert.equal(await reads.read('row', 'nope', missing.load), null);
    assert.equal(missing.calls, 1);
  });

  test("invalidating a tenant makes its next reads load again, and leaves other tenants' entries", async () => {
    const cache = createMemoryCache();
    // Two instances on one cache (as on one Redis): the change is made on one, read on the other.
    const a = createCatalogCache({ cache, log });
    const b = createCatalogCache({ cache, log });
    const [changed, untouched] = [randomUUID(), randomUUID()];
    const fields = loader(['costCenter']);
    const other = loader(['region']);
    await (await b.open(changed)).read('fields', null, fields.load);
    await (await b.open(untouched)).read('fields', null, other.load);
    await a.invalidate(changed);
    await (await b.open(changed)).read('fields', null, fields.load);
    await (await b.open(untouched)).read('fields', null, other.load);
    assert.equal(fields.calls, 2, 'loaded again after the change');
    assert.equal(other.calls, 1, 'the other tenant kept its entry');
    await a.invalidate(changed);
    await a.invalidate(changed);
    await (await b.open(changed)).read('fields', null, fields.load);
    assert.equal(fields.calls, 3);
  });

  test('each process keeps what it read parsed and frozen: the shared cache then serves only the generation', async () => {
    const shared = createMemoryCache();
    const gets: string[] = [];
    const counting: Cache = {
      ...shared,
      get: <T>(key: string) => {
        gets.push(key.split(':')[1] ?? key);
        return shared.get<T>(key);
      },
    };
    const [a, b] = [
      createCatalogCache({ cache: counting, log }),
      createCatalogCache({ cache: counting, log }),
    ];
    const tenant = randomUUID();
    const rows = loader([{ slug: 'project', document: { channels: [{ name: 'General' }] } }]);
    const first = await (await a.open(tenant)).read('scan', {}, rows.load);
    assert.ok(Object.isFrozen(first[0]?.document.channels[0]), 'shared by every later reader: frozen');
    gets.length = 0;
    for (let i = 0; i < 3; i++) await (await a.open(tenant)).read('scan', {}, rows.load);
    assert.deepEqual(gets, ['generation', 'generation', 'generation'], 'A reads only the generation');
    gets.length = 0;
    const onB = await (await b.open(tenant)).read('scan', {}, rows.load);
    await (await b.open(tenant)).read('scan', {}, rows.load);
    assert.deepEqual(onB, first);
    assert.deepEqual(gets, ['generation', tenant, 'generation'], 'B parses the shared entry once');
    assert.equal(rows.calls, 1);
    await b.invalidate(tenant);
    await (await a.open(tenant)).read('scan', {}, rows.load);
    assert.equal(rows.calls, 2, "a change on B retires A's parsed copy at once");
  });

  test('without a cache every read loads, and invalidation is a no-op', async () => {
    const catalog = createCatalogCache({ cache: undefined, log });
    const rows = loader([1]);
    const reads = await catalog.open(randomUUID());
    await reads.read('scan', {}, rows.load);
    await reads.read('scan', {}, rows.load);
    await catalog.invalidate(randomUUID());
    assert.equal(rows.calls, 2);
  });

  test('a failing cache costs database reads, never an error', async () => {
    const broken: Cache = {
      name: 'redis',
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
      delete: () => Promise.reject(new Error('connection refused')),
      increment: () => Promise.reject(new Error('connection refused')),
      ping: () => Promise.reject(new Error('connection refused')),
      close: async () => {},
    };
    const catalog = createCatalogCache({ cache: broken, log });
    const rows = loader(['x']);
    const tenant = randomUUID();
    assert.deepEqual(await (await catalog.open(tenant)).read('scan', {}, rows.load), ['x']);
    assert.deepEqual(await (await catalog.open(tenant)).read('scan', {}, rows.load), ['x']);
    assert.equal(rows.calls, 2);
    await catalog.invalidate(tenant);
  });

  test('very large answers are returned but not kept', async () => {
    const catalog = createCatalogCache({ cache: createMemoryCache(), log });
    const huge = loader('x'.repeat(5 * 1024 * 1024));
    const reads = await catalog.open(randomUUID());
    await reads.read('scan', {}, huge.load);
    await reads.read('scan', {}, huge.load);
    assert.equal(huge.calls, 2);
  });
});
