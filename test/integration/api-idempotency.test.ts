import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

describe('Idempotency-Key on creating POSTs (POST /tokens)', () => {
  let trellis: TestTrellis;
  let tenant: TestTenant;
  const countTokens = (name: string) =>
    trellis.running.db.withTenant(
      tenant.tenantId,
      async (tx) =>
        (await tx.selectFrom('api_tokens').select('token_id').where('name', '=', name).execute()).length,
    );

  before(async () => {
    trellis = await startTestTrellis();
    tenant = await createTestTenant(trellis);
  });
  after(() => trellis.close());

  test('20 concurrent identical requests with one key create one token and get 20 identical answers', async () => {
    const key = randomUUID();
    const body = { name: 'concurrent', scopes: ['catalog:read', 'audit:read'] };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        tenant.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(20).fill(201),
    );
    const first = results[0];
    assert.ok(first);
    for (const r of results) {
      assert.deepEqual(r.body, first.body, 'the same token, shown to every retry');
      assert.equal(r.headers.get('location'), `/api/v1/tokens/${first.body.tokenId}`);
    }
    assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 19);
    assert.equal(await countTokens('concurrent'), 1);
    // A later retry is answered from the record too.
    const later = await tenant.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    assert.equal(later.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(later.body, first.body);
  });

  test('stored answers are encrypted: the token shown once is not readable in the database', async () => {
    const created = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'sealed', scopes: ['catalog:read'] },
      { 'idempotency-key': 'sealed-answer' },
    );
    assert.equal(created.status, 201);
    const rows = await trellis.running.db.withPlatform((tx) =>
      tx.selectFrom('idempotency_keys').select('response_body').execute(),
    );
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(!String(row.response_body).includes(created.body.token));
    const replay = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'sealed', scopes: ['catalog:read'] },
      { 'idempotency-key': 'sealed-answer' },
    );
    assert.equal(replay.body.token, created.body.token, 'the replay still shows the token');
  });

  test('the same key with another body is refused and creates nothing', async () => {
    const key = randomUUID();
    const created = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'first', scopes: ['catalog:read'] },
      {
        'idempotency-key': key,
      },
    );
    assert.equal(created.status, 201);
    const reused = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'second', scopes: ['catalog:read'] },
      {
        'idempotency-key': key,
      },
    );
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'idempotency_key_reused');
    assert.equal(await countTokens('second'), 0);
    // Key order does not make another request.
    const reordered = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { scopes: ['catalog:read'], name: 'first' },
      {
        'idempotency-key': key,
      },
    );
    assert.equal(reordered.status, 201);
    assert.equal(reordered.body.tokenId, created.body.tokenId);
  });

  test('without a key, two requests create two tokens', async () => {
    const body = { name: 'no-key', scopes: ['catalog:read'] };
    const [a, b] = [
      await tenant.call('POST', '/api/v1/tokens', body),
      await tenant.call('POST', '/api/v1/tokens', body),
    ];
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.tokenId, b.body.tokenId);
    assert.equal(await countTokens('no-key'), 2);
  });

  test('a request failing schema validation stores nothing; the key then serves a valid request', async () => {
    const key = randomUUID();
    const invalid = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: '', scopes: [] },
      { 'idempotency-key': key },
    );
    assert.equal(invalid.status, 400);
    const valid = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'after-invalid', scopes: ['catalog:read'] },
      {
        'idempotency-key': key,
      },
    );
    assert.equal(valid.status, 201);
    assert.equal(valid.headers.get('idempotent-replayed'), null);
  });

  test('error answers from the handler are stored and replayed too', async () => {
    const narrow = await createTestTenant(trellis, { scopes: ['tokens:manage'] });
    const key = randomUUID();
    const body = { name: 'beyond', scopes: ['audit:read'] };
    const first = await narrow.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    assert.equal(first.status, 403);
    const second = await narrow.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    assert.equal(second.status, 403);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(second.body, first.body);
  });

  test('keys are scoped to the caller: another token may use the same key', async () => {
    const key = randomUUID();
    const other = await createTestTenant(trellis);
    const body = { name: 'scoped', scopes: ['catalog:read'] };
    const a = await tenant.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    const b = await other.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    assert.equal(b.headers.get('idempotent-replayed'), null);
    assert.notEqual(a.body.tokenId, b.body.tokenId);
  });

  test('a malformed key is refused; keys expire after 24 h', async () => {
    const long = await tenant.call(
      'POST',
      '/api/v1/tokens',
      { name: 'x', scopes: ['catalog:read'] },
      {
        'idempotency-key': 'k'.repeat(256),
      },
    );
    assert.equal(long.status, 400);
    const rows = await trellis.running.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('idempotency_keys').select(['created_at', 'expires_at']).execute(),
    );
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(new Date(r.expires_at).getTime() - new Date(r.created_at).getTime(), 24 * 3600_000);
    }
    // An expired record no longer answers: the key is free again.
    const key = randomUUID();
    const body = { name: 'expiring', scopes: ['catalog:read'] };
    await tenant.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    await trellis.running.db.withTenant(tenant.tenantId, (tx) =>
      tx
        .updateTable('idempotency_keys')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .execute(),
    );
    const fresh = await tenant.call('POST', '/api/v1/tokens', body, { 'idempotency-key': key });
    assert.equal(fresh.status, 201);
    assert.equal(fresh.headers.get('idempotent-replayed'), null);
    assert.equal(await countTokens('expiring'), 2);
  });
});
