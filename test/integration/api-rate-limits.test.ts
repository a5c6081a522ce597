import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RATE_LIMIT_TIER_SETTING, RATE_LIMIT_TIERS } from '../../src/api/rate-limit-tiers.ts';
import { callApi, createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

describe('rate-limit tiers per principal and per tenant', () => {
  let trellis: TestTrellis;
  let free: TestTenant;
  let standard: TestTenant;

  before(async () => {
    trellis = await startTestTrellis({ RATE_LIMIT_PER_MINUTE: '100000' });
    free = await createTestTenant(trellis);
    standard = await createTestTenant(trellis);
    await trellis.running.db.withTenant(free.tenantId, (tx) =>
      tx
        .insertInto('tenant_settings')
        .values({
          tenant_id: free.tenantId,
          key: RATE_LIMIT_TIER_SETTING,
          value: JSON.stringify('free'),
          updated_at: new Date(),
        })
        .execute(),
    );
  });
  after(() => trellis.close());

  test('every API response carries X-RateLimit-* of the tier', async () => {
    const r = await standard.call('GET', '/api/v1/me');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), String(RATE_LIMIT_TIERS.standard.perPrincipal));
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(RATE_LIMIT_TIERS.standard.perPrincipal - 1));
    assert.match(r.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
  });

  test('on the free tier the 61st call in a minute is 429 with Retry-After; another tenant is unaffected', async () => {
    const limit = RATE_LIMIT_TIERS.free.perPrincipal;
    for (let i = 1; i <= limit; i++) {
      const r = await free.call('GET', '/api/v1/me');
      assert.equal(r.status, 200, `call ${i}`);
      assert.equal(r.headers.get('x-ratelimit-remaining'), String(limit - i));
    }
    const refused = await free.call('GET', '/api/v1/me');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'rate_limited');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await standard.call('GET', '/api/v1/me')).status, 200, 'the other tenant is not throttled');
  });

  test('writes count against a tighter budget of their own; reads go on', async () => {
    const writer = await createTestTenant(trellis);
    await trellis.running.db.withTenant(writer.tenantId, (tx) =>
      tx
        .insertInto('tenant_settings')
        .values({
          tenant_id: writer.tenantId,
          key: RATE_LIMIT_TIER_SETTING,
          value: JSON.stringify('free'),
          updated_at: new Date(),
        })
        .execute(),
    );
    const writes = RATE_LIMIT_TIERS.free.writesPerPrincipal;
    const missing = '/api/v1/requests/00000000-0000-4000-8000-000000000000';
    for (let i = 1; i <= writes; i++) {
      const r = await writer.call('PATCH', missing, { name: 'x' });
      assert.equal(r.status, 404, `write ${i} is counted, then answered`);
      assert.equal(r.headers.get('x-ratelimit-limit'), String(writes));
    }
    const refused = await writer.call('PATCH', missing, { name: 'x' });
    assert.equal(refused.status, 429);
    assert.match(refused.body.detail, /writes by this caller/);
    const read = await writer.call('GET', '/api/v1/me');
    assert.equal(read.status, 200, 'reads have their own, larger budget');
  });

  test('the tenant cap binds all principals of the tenant together', async () => {
    const tenantCap = RATE_LIMIT_TIERS.free.perTenant;
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await trellis.running.domain.tokens.create(free.tenantId, {
        name: `cap-${i}`,
        scopes: ['catalog:read'],
        actor: { type: 'system', id: 'test' },
      });
      tokens.push(created.token);
    }
    // The first principal already spent 61 of the tenant's budget above.
    let used = RATE_LIMIT_TIERS.free.perPrincipal + 1;
    for (const token of tokens) {
      for (let i = 0; i < RATE_LIMIT_TIERS.free.perPrincipal && used < tenantCap; i++, used++) {
        const r = await callApi(trellis, token, 'GET', '/api/v1/me');
        assert.equal(r.status, 200);
      }
    }
    assert.equal(used, tenantCap);
    const refused = await callApi(trellis, tokens[2], 'GET', '/api/v1/me');
    assert.equal(refused.status, 429);
    assert.match(refused.body.detail, /this tenant/);
  });
});
