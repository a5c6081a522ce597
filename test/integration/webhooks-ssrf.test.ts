import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { type Receiver, startReceiver } from './webhooks-receiver.ts';

// Private networks are refused, as in production by default.
let trellis: TestTrellis;
let receiver: Receiver;
let tenant: TestTenant;

before(async () => {
  receiver = await startReceiver();
  trellis = await startTestTrellis({ WEBHOOK_CA_FILE: receiver.caPath, WEBHOOK_RETRY_SCHEDULE: '1' });
  tenant = await createTestTenant(trellis);
});

after(async () => {
  await trellis?.close();
  await receiver?.close();
});

test('private, loopback and link-local receivers are refused when saved', async () => {
  for (const url of [
    receiver.url,
    'https://10.0.0.8/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hook',
    'https://localhost/hook',
  ]) {
    const res = await tenant.call('POST', '/api/v1/webhooks', { url, events: ['*'] });
    assert.equal(res.status, 400, url);
    assert.equal(res.body.code, 'validation_failed');
  }
});

test('a host name that resolves to a private address is refused when connecting', async () => {
  // Saved while public, later pointing inward (DNS rebinding): only the connection-time check catches it.
  const created = await tenant.call('POST', '/api/v1/webhooks', {
    url: 'https://hooks.example.com/trellis',
    events: ['request.created'],
  });
  assert.equal(created.status, 201);
  const port = new URL(receiver.url).port;
  await trellis.running.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .updateTable('webhook_subscriptions')
      .set({ url: `https://localhost:${port}/rebound` })
      .where('subscription_id', '=', created.body.webhookId)
      .execute(),
  );
  await trellis.running.db.withTenant(tenant.tenantId, (tx) =>
    trellis.running.domain.events.publish(tx, tenant.tenantId, {
      type: 'request.created',
      subject: { type: 'request', id: randomUUID() },
      data: {},
    }),
  );
  const deadline = Date.now() + 15_000;
  let delivery;
  do {
    const res = await tenant.call(
      'GET',
      `/api/v1/webhooks/${created.body.webhookId}/deliveries?status=failed`,
    );
    delivery = res.body.items[0];
    if (delivery) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  assert.ok(delivery, 'the delivery failed');
  assert.equal(delivery.attemptCount, 2);
  assert.match(delivery.lastError, /private or loopback/);
  assert.equal(delivery.lastStatusCode, null);
  assert.equal(receiver.received.length, 0, 'nothing reached the private receiver');
});
