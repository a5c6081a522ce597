import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DomainEvent, OutboxEventBus } from '../../events/index.ts';
import { createLogger } from '../../telemetry/index.ts';
import { createNotifier, type NotifierDeps } from './notifier.ts';

/** A notifier whose first dependency call fails with `error`; returns its durable handler. */
function notifierFailingWith(error: unknown) {
  let handler: ((event: DomainEvent) => Promise<void>) | undefined;
  const events = {
    subscribeDurable: (_name: string, h: (event: DomainEvent) => Promise<void>) => {
      handler = h;
    },
  } as unknown as OutboxEventBus;
  const deps = {
    log: createLogger('silent'),
    requests: { get: async () => ({ requestId: 'r', status: 'approved', stages: [] }) },
    entraTenantOf: async () => {
      throw error;
    },
  } as unknown as NotifierDeps;
  createNotifier(deps).attach(events);
  assert.ok(handler);
  return handler;
}

const event: DomainEvent = {
  eventId: 'e',
  tenantId: 't',
  type: 'request.approved',
  occurredAt: new Date().toISOString(),
  subject: { type: 'request', id: 'r' },
  actor: null,
  data: {},
};

test('a notification the Connector refuses is not retried; throttling and outages are', async () => {
  await notifierFailingWith({ response: { status: 400 } })(event);
  await notifierFailingWith({ response: { status: 413 } })(event);
  await assert.rejects(notifierFailingWith({ response: { status: 429 } })(event));
  await assert.rejects(notifierFailingWith({ response: { status: 503 } })(event));
  await assert.rejects(notifierFailingWith(new Error('ECONNRESET'))(event));
  // Events the notifier does not handle never reach it.
  await notifierFailingWith(new Error('not called'))({ ...event, type: 'template.published' });
});
