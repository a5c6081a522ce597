import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { DomainEvent, EventBus, EventHandler, EventType } from './domain-event.ts';

const DISPATCH_QUEUE = 'events.dispatch';

/** A subscriber whose work must survive crashes: it runs inside the dispatch job, retried until it succeeds. */
export type DurableEventHandler = (event: DomainEvent) => Promise<void>;

export interface OutboxEventBus extends EventBus {
  /** Registers a durable subscriber (webhook fan-out); a failure retries the whole dispatch. */
  subscribeDurable(name: string, handler: DurableEventHandler): void;
}

/**
 * The transactional outbox: `publish` inserts the event and enqueues its dispatch in the caller's
 * transaction; the dispatch job runs durable subscribers (they must be idempotent per event id),
 * then in-process ones. Delivery is at least once.
 */
export function createEventBus(deps: { db: Db; jobs: JobQueue; log: Logger }): OutboxEventBus {
  const handlers = new Set<{ types: ReadonlySet<EventType> | '*'; handler: EventHandler }>();
  const durable = new Map<string, DurableEventHandler>();

  deps.jobs.define<{ tenantId: string; eventId: string }>(
    DISPATCH_QUEUE,
    // One dispatch at a time per subject (singleton key), so a subject's events arrive in order
    // unless one of them is being retried.
    { retryLimit: 10, retryDelaySeconds: 2, retryDelayMaxSeconds: 600, concurrency: 4, policy: 'singleton' },
    async ({ data }) => {
      const row = await deps.db.withTenant(data.tenantId, (tx) =>
        tx.selectFrom('domain_events').selectAll().where('event_id', '=', data.eventId).executeTakeFirst(),
      );
      if (!row) return; // the tenant was deleted meanwhile
      const event: DomainEvent = {
        eventId: row.event_id,
        tenantId: row.tenant_id,
        type: row.type as EventType,
        occurredAt: new Date(row.occurred_at).toISOString(),
        subject: { type: row.subject_type, id: row.subject_id },
        actor: row.actor_type && row.actor_id ? { type: row.actor_type, id: row.actor_id } : null,
        data: row.data,
      };
      for (const [name, handler] of durable) {
        try {
          await handler(event);
        } catch (error) {
          deps.log.warn({ err: error, subscriber: name, eventId: event.eventId }, 'event subscriber failed');
          throw error;
        }
      }
      for (const { types, handler } of handlers) {
        if (types !== '*' && !types.has(event.type)) continue;
        try {
          await handler(event);
        } catch (error) {
          // In-process subscribers (cards, live views) are best effort; they never block webhooks.
          deps.log.warn({ err: error, eventId: event.eventId }, 'in-process event subscriber failed');
        }
      }
      if (!row.dispatched_at) {
        await deps.db.withTenant(data.tenantId, (tx) =>
          tx
            .updateTable('domain_events')
            .set({ dispatched_at: new Date() })
            .where('event_id', '=', data.eventId)
            .execute(),
        );
      }
    },
  );

  return {
    async publish(tx, tenantId, input) {
      const eventId = randomUUID();
      const row = await tx
        .insertInto('domain_events')
        .values({
          tenant_id: tenantId,
          event_id: eventId,
          type: input.type,
          subject_type: input.subject.type,
          subject_id: input.subject.id,
          actor_type: input.actor?.type ?? null,
          actor_id: input.actor?.id ?? null,
          data: JSON.stringify(input.data),
        })
        .returning('occurred_at')
        .executeTakeFirstOrThrow();
      await deps.jobs.send(
        DISPATCH_QUEUE,
        { tenantId, eventId },
        { tx, singletonKey: `${tenantId}/${input.subject.type}/${input.subject.id}` },
      );
      return {
        eventId,
        tenantId,
        type: input.type,
        occurredAt: new Date(row.occurred_at).toISOString(),
        subject: input.subject,
        actor: input.actor ?? null,
        data: input.data,
      };
    },
    subscribe(types, handler) {
      const entry = { types: types === '*' ? ('*' as const) : new Set(types), handler };
      handlers.add(entry);
      return () => handlers.delete(entry);
    },
    subscribeDurable(name, handler) {
      if (durable.has(name)) throw new Error(`Durable subscriber ${name} registered twice`);
      durable.set(name, handler);
    },
  };
}
