import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { EventType } from '../../src/events/index.ts';
import { verifyWebhookSignature } from '../../src/webhooks/index.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { type Received, type Receiver, startReceiver } from './webhooks-receiver.ts';

let trellis: TestTrellis;
let receiver: Receiver;
let a: TestTenant;
let b: TestTenant;

before(async () => {
  receiver = await startReceiver();
  trellis = await startTestTrellis({
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_CA_FILE: receiver.caPath,
    WEBHOOK_RETRY_SCHEDULE: '1,1,1',
    WEBHOOK_DISABLE_AFTER_FAILURES: '2',
  });
  a = await createTestTenant(trellis);
  b = await createTestTenant(trellis);
});

after(async () => {
  await trellis?.close();
  await receiver?.close();
});

/** Publishes a domain event in a committed transaction (as the requests code does). */
async function publish(tenantId: string, type: EventType, data: Record<string, unknown> = {}) {
  return trellis.running.db.withTenant(tenantId, (tx) =>
    trellis.running.domain.events.publish(tx, tenantId, {
      type,
      subject: { type: 'request', id: randomUUID() },
      actor: { type: 'system', id: 'test' },
      data,
    }),
  );
}

async function subscribe(tenant: TestTenant, pathname: string, events: string[] = ['*']) {
  const res = await tenant.call('POST', '/api/v1/webhooks', { url: `${receiver.url}${pathname}`, events });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { webhookId: string; secret: string };
}

const to = (pathname: string) => (all: Received[]) => all.filter((r) => r.path === pathname);

async function waitForDelivery(tenant: TestTenant, webhookId: string, eventId: string, status: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await tenant.call('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=200`);
    assert.equal(res.status, 200);
    const found = (res.body.items as { eventId: string; status: string; deliveryId: string }[]).find(
      (d) => d.eventId === eventId,
    );
    if (found?.status === status) return found;
    if (Date.now() > deadline)
      assert.fail(`delivery of ${eventId} is ${found?.status ?? 'absent'}, not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhook subscriptions', () => {
  test('the secret is returned on creation only, and the API checks what it is given', async () => {
    const created = await a.call('POST', '/api/v1/webhooks', {
      url: `${receiver.url}/crud`,
      events: ['request.approved', 'request.created'],
      description: 'CRM sync',
    });
    assert.equal(created.status, 201);
    assert.match(created.body.secret, /^whsec_[0-9A-Za-z]{32}$/);
    assert.equal(created.headers.get('location'), `/api/v1/webhooks/${created.body.webhookId}`);
    assert.deepEqual(created.body.events, ['request.approved', 'request.created']);

    const read = await a.call('GET', `/api/v1/webhooks/${created.body.webhookId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.secret, undefined);
    assert.equal(read.body.description, 'CRM sync');

    const list = await a.call('GET', '/api/v1/webhooks');
    assert.ok(list.body.items.some((w: { webhookId: string }) => w.webhookId === created.body.webhookId));
    assert.ok(list.body.items.every((w: Record<string, unknown>) => !('secret' in w)));

    const patched = await a.call('PATCH', `/api/v1/webhooks/${created.body.webhookId}`, {
      events: ['*'],
      active: false,
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.events, ['*']);
    assert.equal(patched.body.active, false);

    for (const bad of [
      { url: 'http://example.com/hook', events: ['*'] },
      { url: `${receiver.url}/x`, events: ['no.such_event'] },
      { url: `${receiver.url}/x`, events: [] },
      { url: 'https://user:pw@example.com/', events: ['*'] },
    ]) {
      const res = await a.call('POST', '/api/v1/webhooks', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }

    // Another tenant sees nothing of it.
    assert.equal((await b.call('GET', `/api/v1/webhooks/${created.body.webhookId}`)).status, 404);
    assert.equal((await b.call('DELETE', `/api/v1/webhooks/${created.body.webhookId}`)).status, 404);

    const audit = await trellis.running.db.withTenant(a.tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'after'])
        .where('target_id', '=', created.body.webhookId)
        .orderBy('occurred_at')
        .execute(),
    );
    assert.deepEqual(
      audit.map((e) => e.action),
      ['webhook.created', 'webhook.updated'],
    );
    assert.ok(
      !JSON.stringify(audit).includes(created.body.secret),
      'the secret never reaches the audit trail',
    );

    const deleted = await a.call('DELETE', `/api/v1/webhooks/${created.body.webhookId}`);
    assert.equal(deleted.status, 204);
    assert.equal((await a.call('GET', `/api/v1/webhooks/${created.body.webhookId}`)).status, 404);
  });
});

describe('webhook deliveries', () => {
  test('a committed event is POSTed, signed; tampering, replays and other secrets fail verification', async () => {
    const hook = await subscribe(a, '/signed', ['request.approved']);
    const event = await publish(a.tenantId, 'request.approved', {
      requestId: 'r-1',
      displayName: 'Project X',
    });
    const [got] = to('/signed')(await receiver.waitFor((all) => to('/signed')(all).length >= 1));
    assert.ok(got);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['user-agent'], 'Trellis-Webhooks/1');
    assert.equal(got.headers['trellis-event'], 'request.approved');
    assert.equal(got.headers['trellis-webhook-id'], hook.webhookId);
    assert.match(got.headers['trellis-delivery-id'] ?? '', /^[0-9a-f-]{36}$/);
    const body = JSON.parse(got.body);
    assert.deepEqual(body, {
      id: event.eventId,
      type: 'request.approved',
      occurredAt: event.occurredAt,
      tenantId: a.tenantId,
      subject: event.subject,
      actor: { type: 'system', id: 'test' },
      data: { requestId: 'r-1', displayName: 'Project X' },
    });

    const header = got.headers['trellis-signature'];
    assert.match(header ?? '', /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(verifyWebhookSignature([hook.secret], header, got.body).valid, true);
    assert.equal(
      verifyWebhookSignature([hook.secret], header, got.body.replace('Project X', 'Project Y')).valid,
      false,
    );
    assert.deepEqual(verifyWebhookSignature([hook.secret], header, got.body, 300, Date.now() + 600_000), {
      valid: false,
      reason: 'timestamp_out_of_tolerance',
    });
    assert.equal(
      verifyWebhookSignature(['whsec_0123456789abcdefghijABCDEFGHIJ01'], header, got.body).valid,
      false,
    );

    const delivery = await waitForDelivery(a, hook.webhookId, event.eventId, 'succeeded');
    assert.equal(delivery.deliveryId, got.headers['trellis-delivery-id']);
  });

  test('an event published in a rolled-back transaction is never delivered', async () => {
    await subscribe(a, '/rollback', ['request.rejected']);
    const marker = randomUUID();
    await assert.rejects(
      trellis.running.db.withTenant(a.tenantId, async (tx) => {
        await trellis.running.domain.events.publish(tx, a.tenantId, {
          type: 'request.rejected',
          subject: { type: 'request', id: randomUUID() },
          data: { marker },
        });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    // A later, committed event arrives: the rolled-back one, published first, would have by then.
    await publish(a.tenantId, 'request.rejected', { marker: 'committed' });
    const got = to('/rollback')(await receiver.waitFor((all) => to('/rollback')(all).length >= 1));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(to('/rollback')(receiver.received).length, 1);
    assert.ok(!got.some((r) => r.body.includes(marker)));
  });

  test('events of tenant A never reach tenant B’s subscriptions', async () => {
    await subscribe(b, '/tenant-b', ['*']);
    const hookA = await subscribe(a, '/tenant-a', ['request.cancelled']);
    const event = await publish(a.tenantId, 'request.cancelled');
    await receiver.waitFor((all) => to('/tenant-a')(all).length >= 1);
    await waitForDelivery(a, hookA.webhookId, event.eventId, 'succeeded');
    await publish(b.tenantId, 'request.cancelled', { tenant: 'b' });
    const gotB = to('/tenant-b')(await receiver.waitFor((all) => to('/tenant-b')(all).length >= 1));
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      to('/tenant-b')(receiver.received).every((r) => JSON.parse(r.body).tenantId === b.tenantId),
      'B only ever got its own events',
    );
    assert.equal(gotB.length, 1);
    // B cannot read A's deliveries either.
    assert.equal((await b.call('GET', `/api/v1/webhooks/${hookA.webhookId}/deliveries`)).status, 404);
  });

  test('a receiver failing twice then succeeding gives one delivery with three attempts', async () => {
    receiver.answer('/flaky', (count) => (count < 2 ? 503 : 200));
    const hook = await subscribe(a, '/flaky', ['request.created']);
    const event = await publish(a.tenantId, 'request.created');
    const got = to('/flaky')(await receiver.waitFor((all) => to('/flaky')(all).length >= 3, 20_000));
    assert.equal(new Set(got.map((r) => r.headers['trellis-delivery-id'])).size, 1, 'one delivery, retried');
    const delivery = await waitForDelivery(a, hook.webhookId, event.eventId, 'succeeded');
    const detail = await a.call(
      'GET',
      `/api/v1/webhooks/${hook.webhookId}/deliveries/${delivery.deliveryId}`,
    );
    assert.equal(detail.status, 200);
    assert.equal(detail.body.attemptCount, 3);
    assert.deepEqual(
      detail.body.attempts.map((t: { statusCode: number }) => t.statusCode),
      [503, 503, 200],
    );
    assert.equal(detail.body.lastStatusCode, 200);
    assert.equal(detail.body.payload.id, event.eventId);
    // Backoff: attempts are at least the scheduled second apart.
    const times = detail.body.attempts.map((t: { at: string }) => Date.parse(t.at));
    assert.ok(times[1] - times[0] >= 900 && times[2] - times[1] >= 900, JSON.stringify(times));

    const failed = await a.call('GET', `/api/v1/webhooks/${hook.webhookId}/deliveries?status=failed`);
    assert.deepEqual(failed.body.items, []);
    const byType = await a.call(
      'GET',
      `/api/v1/webhooks/${hook.webhookId}/deliveries?eventType=request.created`,
    );
    assert.equal(byType.body.items.length, 1);
  });

  test('410 Gone disables the subscription at once', async () => {
    receiver.answer('/gone', 410);
    const hook = await subscribe(a, '/gone', ['request.expired']);
    const event = await publish(a.tenantId, 'request.expired');
    await waitForDelivery(a, hook.webhookId, event.eventId, 'failed');
    const read = await a.call('GET', `/api/v1/webhooks/${hook.webhookId}`);
    assert.equal(read.body.active, false);
    assert.match(read.body.disabledReason, /410/);
    assert.equal(to('/gone')(receiver.received).length, 1, 'no retry after 410');
    const audit = await trellis.running.db.withTenant(a.tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('action')
        .where('target_id', '=', hook.webhookId)
        .where('action', '=', 'webhook.disabled')
        .execute(),
    );
    assert.equal(audit.length, 1);
    // Disabled: later events create no deliveries.
    await publish(a.tenantId, 'request.expired');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(to('/gone')(receiver.received).length, 1);
  });

  test('after the last retry a delivery fails; repeated failures disable the subscription', async () => {
    receiver.answer('/down', 500);
    const hook = await subscribe(a, '/down', ['approval.reminder']);
    const first = await publish(a.tenantId, 'approval.reminder');
    const second = await publish(a.tenantId, 'approval.reminder');
    await waitForDelivery(a, hook.webhookId, first.eventId, 'failed');
    await waitForDelivery(a, hook.webhookId, second.eventId, 'failed');
    // First attempt plus one per WEBHOOK_RETRY_SCHEDULE entry (3).
    const d = await a.call('GET', `/api/v1/webhooks/${hook.webhookId}/deliveries?status=failed`);
    assert.deepEqual(
      d.body.items.map((x: { attemptCount: number }) => x.attemptCount),
      [4, 4],
    );
    const read = await a.call('GET', `/api/v1/webhooks/${hook.webhookId}`);
    assert.equal(read.body.active, false);
    assert.equal(read.body.consecutiveFailures, 2);
  });

  test('redelivery makes one more attempt of the same delivery', async () => {
    const hook = await subscribe(a, '/redeliver', ['approval.approved']);
    const event = await publish(a.tenantId, 'approval.approved');
    const delivery = await waitForDelivery(a, hook.webhookId, event.eventId, 'succeeded');
    const res = await a.call(
      'POST',
      `/api/v1/webhooks/${hook.webhookId}/deliveries/${delivery.deliveryId}/redeliver`,
    );
    assert.equal(res.status, 202);
    const got = to('/redeliver')(await receiver.waitFor((all) => to('/redeliver')(all).length >= 2));
    assert.equal(got[0]?.headers['trellis-delivery-id'], got[1]?.headers['trellis-delivery-id']);
    assert.equal(got[0]?.body, got[1]?.body, 'the same body, byte for byte');
    const deadline = Date.now() + 10_000;
    let detail;
    do {
      detail = await a.call('GET', `/api/v1/webhooks/${hook.webhookId}/deliveries/${delivery.deliveryId}`);
      if (detail.body.attemptCount === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.equal(detail.body.attemptCount, 2);
    assert.equal(detail.body.attempts[1].manual, true);
    assert.equal(detail.body.status, 'succeeded');
    const other = await b.call(
      'POST',
      `/api/v1/webhooks/${hook.webhookId}/deliveries/${delivery.deliveryId}/redeliver`,
    );
    assert.equal(other.status, 404);
  });

  test('after a rotation deliveries carry both signatures; the new secret is shown once', async () => {
    const hook = await subscribe(a, '/rotate', ['template.published']);
    const rotated = await a.call('POST', `/api/v1/webhooks/${hook.webhookId}/rotate-secret`);
    assert.equal(rotated.status, 200);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, hook.secret);
    assert.ok(Date.parse(rotated.body.previousSecretExpiresAt) > Date.now() + 23 * 3_600_000);
    await publish(a.tenantId, 'template.published');
    const [got] = to('/rotate')(await receiver.waitFor((all) => to('/rotate')(all).length >= 1));
    const header = got?.headers['trellis-signature'] ?? '';
    assert.equal(header.split(',').filter((p) => p.startsWith('v1=')).length, 2);
    assert.equal(verifyWebhookSignature([hook.secret], header, got?.body ?? '').valid, true);
    assert.equal(verifyWebhookSignature([rotated.body.secret], header, got?.body ?? '').valid, true);
    assert.equal((await a.call('GET', `/api/v1/webhooks/${hook.webhookId}`)).body.secret, undefined);
  });

  test('ping sends a webhook.ping delivery to that subscription only', async () => {
    const hook = await subscribe(a, '/ping', ['provisioning.failed']);
    const res = await a.call('POST', `/api/v1/webhooks/${hook.webhookId}/ping`);
    assert.equal(res.status, 202);
    assert.equal(res.body.eventType, 'webhook.ping');
    const [got] = to('/ping')(await receiver.waitFor((all) => to('/ping')(all).length >= 1));
    assert.equal(got?.headers['trellis-event'], 'webhook.ping');
    assert.equal(JSON.parse(got?.body ?? '{}').data.webhookId, hook.webhookId);
    assert.equal(
      verifyWebhookSignature([hook.secret], got?.headers['trellis-signature'], got?.body ?? '').valid,
      true,
    );
  });
});
