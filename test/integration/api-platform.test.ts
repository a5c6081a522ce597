import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

describe('API platform routes: me, tokens, audit', () => {
  let trellis: TestTrellis;
  let tenant: TestTenant;

  before(async () => {
    trellis = await startTestTrellis();
    tenant = await createTestTenant(trellis);
  });
  after(() => trellis.close());

  test('GET /me describes a token caller', async () => {
    const me = await tenant.call('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.tenant.tenantId, tenant.tenantId);
    assert.equal(me.body.principal.kind, 'api_token');
    assert.deepEqual(me.body.roles, []);
    assert.ok(me.body.scopes.includes('tokens:manage'));
  });

  test('token lifecycle: created once with Location, read, listed with cursors, revoked, then refused', async () => {
    const created = await tenant.call('POST', '/api/v1/tokens', {
      name: 'ci',
      scopes: ['catalog:read'],
      expiresInDays: 7,
    });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^trl_/);
    assert.equal(created.headers.get('location'), `/api/v1/tokens/${created.body.tokenId}`);
    const read = await tenant.call('GET', `/api/v1/tokens/${created.body.tokenId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.token, undefined, 'never shown again');
    assert.equal(read.body.status, 'active');
    assert.equal(
      new Date(read.body.expiresAt).getTime() - new Date(read.body.createdAt).getTime(),
      7 * 86_400_000,
    );

    for (let i = 0; i < 4; i++)
      await tenant.call('POST', '/api/v1/tokens', { name: `page-${i}`, scopes: ['catalog:read'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { tokenId: string }[]; nextCursor: string | null } } =
        await tenant.call('GET', `/api/v1/tokens?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((t) => t.tokenId));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no token twice');
    assert.equal(seen.length, 6, 'the tenant token, ci and the four above');
    assert.equal((await tenant.call('GET', '/api/v1/tokens?cursor=bm9wZQ')).status, 400);

    const ci = created.body.token as string;
    assert.equal((await callApi(trellis, ci, 'GET', '/api/v1/me')).status, 200);
    const revoked = await tenant.call('DELETE', `/api/v1/tokens/${created.body.tokenId}`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'revoked');
    assert.equal((await callApi(trellis, ci, 'GET', '/api/v1/me')).status, 401);
    assert.equal(
      (await tenant.call('GET', '/api/v1/tokens/00000000-0000-4000-8000-000000000000')).status,
      404,
    );
  });

  test('a token cannot mint a token with scopes it lacks; scope checks apply to routes', async () => {
    const narrow = await createTestTenant(trellis, { scopes: ['tokens:manage', 'catalog:read'] });
    const ok = await narrow.call('POST', '/api/v1/tokens', { name: 'sub', scopes: ['catalog:read'] });
    assert.equal(ok.status, 201);
    const beyond = await narrow.call('POST', '/api/v1/tokens', { name: 'sub', scopes: ['audit:read'] });
    assert.equal(beyond.status, 403);
    assert.match(beyond.body.detail, /audit:read/);
    assert.equal((await narrow.call('GET', '/api/v1/audit')).status, 403);
    assert.equal((await callApi(trellis, ok.body.token, 'GET', '/api/v1/tokens')).status, 403);
  });

  test("a suspended tenant's tokens are refused until it is active again", async () => {
    const other = await createTestTenant(trellis);
    const setStatus = (status: 'active' | 'suspended') =>
      trellis.running.db.withPlatform((tx) =>
        tx.updateTable('tenants').set({ status }).where('tenant_id', '=', other.tenantId).execute(),
      );
    assert.equal((await other.call('GET', '/api/v1/me')).status, 200);
    await setStatus('suspended');
    const refused = await other.call('GET', '/api/v1/me');
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /suspended/);
    await setStatus('active');
    assert.equal((await other.call('GET', '/api/v1/me')).status, 200);
  });

  test('audit: filtered, cursor-paginated listing and streamed CSV / JSON exports', async () => {
    const all = await tenant.call('GET', '/api/v1/audit?action=token.*&limit=3');
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, 3);
    assert.ok(all.body.nextCursor);
    const next = await tenant.call(
      'GET',
      `/api/v1/audit?action=token.*&limit=3&cursor=${all.body.nextCursor}`,
    );
    const ids = [...all.body.items, ...next.body.items].map((e: { eventId: string }) => e.eventId);
    assert.equal(new Set(ids).size, ids.length);
    const revoked = await tenant.call('GET', '/api/v1/audit?action=token.revoked');
    assert.equal(revoked.body.items.length, 1);
    assert.equal(revoked.body.items[0].target.type, 'api_token');
    const future = await tenant.call(
      'GET',
      `/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    assert.deepEqual(future.body.items, []);
    assert.equal(
      (await tenant.call('GET', '/api/v1/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z')).status,
      400,
    );

    const csv = await trellis.fetch('/api/v1/audit/export?format=csv&action=token.created', {
      headers: { authorization: `Bearer ${tenant.token}` },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(
      csv.headers.get('content-disposition') ?? '',
      /attachment; filename="trellis-audit-.*\.csv"/,
    );
    const lines = (await csv.text()).trim().split('\r\n');
    assert.match(lines[0] ?? '', /^occurred_at,event_id,actor_type/);
    assert.ok(lines.length >= 7);
    const json = await tenant.call('GET', '/api/v1/audit/export?format=json&action=token.created');
    assert.equal(json.status, 200);
    assert.ok(Array.isArray(json.body));
    assert.equal(json.body.length, lines.length - 1);
    assert.ok(json.body.every((e: { action: string }) => e.action === 'token.created'));
  });
});
