import type { Tx } from '../db/index.ts';

/**
 * Every domain event type. Webhook subscriptions, the bot and the tabs subscribe to these names;
 * they are part of the public API: add types, never rename them.
 */
export const EVENT_TYPES = [
  'request.created',
  'request.submitted',
  'request.updated',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.expired',
  'approval.requested',
  'approval.reminder',
  'approval.approved',
  'approval.rejected',
  'provisioning.started',
  'provisioning.completed',
  'provisioning.completed_with_drift',
  'provisioning.failed',
  'template.published',
  /** Sent to one webhook on demand (`POST /webhooks/{id}/ping`), never fanned out. */
  'webhook.ping',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A fact that happened in one tenant, recorded in the same transaction as the change. */
export interface DomainEvent<T = Record<string, unknown>> {
  eventId: string;
  tenantId: string;
  type: EventType;
  occurredAt: string;
  subject: { type: string; id: string };
  actor: { type: 'user' | 'api_token' | 'system'; id: string } | null;
  data: T;
}

export interface NewDomainEvent<T = Record<string, unknown>> {
  type: EventType;
  subject: { type: string; id: string };
  actor?: { type: 'user' | 'api_token' | 'system'; id: string };
  data: T;
}

export type EventHandler = (event: DomainEvent) => Promise<void> | void;

/**
 * Transactional outbox: `publish` writes the event in the caller's transaction, so an event exists
 * if and only if its change committed; after commit it reaches in-process subscribers (bot, tab
 * server-sent events) and webhook deliveries (durable jobs), at least once.
 */
export interface EventBus {
  publish<T extends Record<string, unknown>>(
    tx: Tx,
    tenantId: string,
    event: NewDomainEvent<T>,
  ): Promise<DomainEvent<T>>;
  /** Subscribes to some types (or all with '*'); returns the unsubscribe function. */
  subscribe(types: readonly EventType[] | '*', handler: EventHandler): () => void;
}
