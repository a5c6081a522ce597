import { randomInt, randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { type AuditActor, type AuditSource, recordAudit } from '../audit/index.ts';
import type { WebhookConfig } from '../config.ts';
import type { SecretStore } from '../crypto/index.ts';
import type { Db, Tx } from '../db/index.ts';
import type {
  WebhookAttemptRecord,
  WebhookDeliveriesTable,
  WebhookDeliveryStatus,
  WebhookSubscriptionsTable,
} from '../db/tables/webhooks.ts';
import { errors } from '../errors/index.ts';
import { type DomainEvent, EVENT_TYPES, type EventType } from '../events/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import { instruments, type Logger } from '../telemetry/index.ts';
import { assertWebhookUrl } from './webhook-destination.ts';
import type { WebhookSender } from './webhook-sender.ts';
import { generateWebhookSecret, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

/** Sent by `ping` to the one subscription pinged; never fanned out, never subscribed to. */
export const WEBHOOK_PING: EventType = 'webhook.ping';
/** Event types a subscription may name (every type but the ping), or '*'. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((t) => t !== WEBHOOK_PING);
/** After a rotation the previous secret keeps signing (a second `v1`) this long. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** Attempts kept per delivery in its log (the count keeps growing). */
const ATTEMPTS_KEPT = 25;
const DELIVER_QUEUE = 'webhooks.deliver';
const SECRET_KIND = 'webhook';
const USER_AGENT = 'Trellis-Webhooks/1';

export interface WebhookSubscription {
  webhookId: string;
  url: string;
  description: string | null;
  events: string[];
  active: boolean;
  /** Why Trellis turned it off (410 Gone, repeated failures); null when active or turned off by a person. */
  disabledReason: string | null;
  consecutiveFailures: number;
  /** Until then deliveries are also signed with the previous secret. */
  previousSecretExpiresAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookWithSecret extends WebhookSubscription {
  /** The signing secret: returned on creation and rotation only. */
  secret: string;
}

export interface WebhookDelivery {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponseMs: number | null;
  attempts: WebhookAttemptRecord[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface WebhookDeliveryDetail extends WebhookDelivery {
  /** The JSON body POSTed on every attempt. */
  payload: unknown;
}

export interface WebhookInput {
  url: string;
  events: readonly string[];
  description?: string | null | undefined;
  active?: boolean | undefined;
}

interface Change {
  actor: AuditActor;
  source?: AuditSource | undefined;
}

export interface WebhookService {
  create(tenantId: string, input: WebhookInput & Change): Promise<WebhookWithSecret>;
  /** Newest first, keyset-paginated after the given position. */
  list(
    tenantId: string,
    page: { after?: { createdAt: string; webhookId: string } | undefined; limit: number },
  ): Promise<WebhookSubscription[]>;
  /** @throws AppError(not_found) */
  get(tenantId: string, webhookId: string): Promise<WebhookSubscription>;
  /** Re-activating resets the failure count. @throws AppError(not_found | validation_failed) */
  update(
    tenantId: string,
    webhookId: string,
    patch: Partial<WebhookInput> & Change,
  ): Promise<WebhookSubscription>;
  /** Deletes the subscription, its deliveries and its secrets. @throws AppError(not_found) */
  remove(tenantId: string, webhookId: string, change: Change): Promise<void>;
  /** A new secret; the previous one keeps signing for 24 h. @throws AppError(not_found) */
  rotateSecret(tenantId: string, webhookId: string, change: Change): Promise<WebhookWithSecret>;
  /** Queues a `webhook.ping` delivery to this subscription. @throws AppError(not_found | conflict) */
  ping(tenantId: string, webhookId: string, change: Change): Promise<WebhookDelivery>;
  listDeliveries(
    tenantId: string,
    webhookId: string,
    query: {
      status?: WebhookDeliveryStatus | undefined;
      eventType?: string | undefined;
      after?: { createdAt: string; deliveryId: string } | undefined;
      limit: number;
    },
  ): Promise<WebhookDelivery[]>;
  /** @throws AppError(not_found) */
  getDelivery(tenantId: string, webhookId: string, deliveryId: string): Promise<WebhookDeliveryDetail>;
  /** Queues one more attempt of a delivery, now. @throws AppError(not_found | conflict) */
  redeliver(
    tenantId: string,
    webhookId: string,
    deliveryId: string,
    change: Change,
  ): Promise<WebhookDelivery>;
  /** Creates the deliveries of a committed event (idempotent per subscription and event). */
  fanOut(event: DomainEvent): Promise<number>;
}

export interface WebhookServiceDeps {
  db: Db;
  jobs: JobQueue;
  secrets: SecretStore;
  sender: WebhookSender;
  config: WebhookConfig;
  log: Logger;
  now?: () => Date;
}

interface DeliverJob {
  tenantId: string;
  deliveryId: string;
  /** The automatic attempt this job is (1 = first); absent for a manual redelivery. */
  attempt?: number;
  manual?: boolean;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

type SubscriptionRow = Selectable<WebhookSubscriptionsTable>;
type DeliveryRow = Selectable<WebhookDeliveriesTable>;

function subscriptionOf(row: SubscriptionRow): WebhookSubscription {
  return {
    webhookId: row.subscription_id,
    url: row.url,
    description: row.description,
    events: row.event_types,
    active: row.active,
    disabledReason: row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    previousSecretExpiresAt: iso(row.previous_secret_expires_at),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function deliveryOf(row: DeliveryRow): WebhookDelivery {
  return {
    deliveryId: row.delivery_id,
    webhookId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: iso(row.next_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastResponseMs: row.last_response_ms,
    attempts: row.attempts,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    completedAt: iso(row.completed_at),
  };
}

/** What the audit trail keeps of a subscription: everything but secrets. */
function audited(s: WebhookSubscription) {
  return { url: s.url, description: s.description, events: s.events, active: s.active };
}

function normaliseEvents(events: readonly string[]): string[] {
  const unique = [...new Set(events)];
  const known = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);
  const unknown = unique.filter((e) => e !== '*' && !known.has(e));
  if (unique.length === 0 || unknown.length > 0) {
    throw errors.validation(
      unknown.length
        ? `Unknown event type(s): ${unknown.join(', ')}`
        : 'Subscribe to at least one event type',
      { allowed: ['*', ...SUBSCRIBABLE_EVENT_TYPES] },
    );
  }
  return unique.includes('*') ? ['*'] : unique.sort();
}

function normaliseDescription(description: string | null | undefined): string | null {
  const trimmed = description?.trim();
  if (trimmed && trimmed.length > 500) throw errors.validation('Descriptions are at most 500 characters');
  return trimmed || null;
}

/** The body every attempt of a delivery POSTs, byte for byte. */
function payloadOf(event: {
  eventId: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  subject: { type: string; id: string };
  actor: { type: string; id: string } | null;
  data: unknown;
}): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    tenantId: event.tenantId,
    subject: event.subject,
    actor: event.actor,
    data: event.data,
  });
}

/**
 * Per-tenant webhook subscriptions and their deliveries. Deliveries are created in the dispatch of
 * a committed event and sent by durable jobs: signed, retried on the configured schedule with
 * jitter, logged per attempt, and never lost to a restart.
 */
export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { db, jobs, secrets, sender, config, log } = deps;
  const now = deps.now ?? (() => new Date());

  async function loadSubscription(tx: Tx, webhookId: string, lock = false): Promise<SubscriptionRow> {
    let q = tx.selectFrom('webhook_subscriptions').selectAll().where('subscription_id', '=', webhookId);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw errors.notFound('Webhook');
    return row;
  }

  async function createDelivery(
    tx: Tx,
    tenantId: string,
    webhookId: string,
    event: { eventId: string; type: string; payload: string },
  ): Promise<DeliveryRow | undefined> {
    const at = now();
    const row = await tx
      .insertInto('webhook_deliveries')
      .values({
        tenant_id: tenantId,
        delivery_id: randomUUID(),
        subscription_id: webhookId,
        event_id: event.eventId,
        event_type: event.type,
        payload: event.payload,
        status: 'pending',
        scheduled_attempt: 1,
        next_attempt_at: at,
        attempts: '[]',
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'subscription_id', 'event_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await jobs.send<DeliverJob>(DELIVER_QUEUE, { tenantId, deliveryId: row.delivery_id, attempt: 1 }, { tx });
    return row;
  }

  /** The secrets a delivery is signed with now: the current one, and the previous during its overlap. */
  async function signingSecrets(tenantId: string, s: SubscriptionRow): Promise<string[]> {
    const out = [await secrets.get(tenantId, s.secret_id)];
    if (
      s.previous_secret_id &&
      s.previous_secret_expires_at &&
      new Date(s.previous_secret_expires_at).getTime() > now().getTime()
    ) {
      out.push(await secrets.get(tenantId, s.previous_secret_id).catch(() => ''));
    }
    return out.filter(Boolean);
  }

  async function disable(tx: Tx, tenantId: string, s: SubscriptionRow, reason: string) {
    await tx
      .updateTable('webhook_subscriptions')
      .set({ active: false, disabled_reason: reason, updated_at: now() })
      .where('subscription_id', '=', s.subscription_id)
      .execute();
    await recordAudit(tx, tenantId, {
      actor: { type: 'system', id: 'webhooks', name: 'Webhook deliveries' },
      action: 'webhook.disabled',
      target: { type: 'webhook', id: s.subscription_id },
      before: { active: true },
      after: { active: false, reason },
    });
    log.warn({ tenantId, webhookId: s.subscription_id, reason }, 'webhook subscription disabled');
  }

  /** One attempt: read (one transaction), decrypt and POST (none held), record (another). */
  async function attempt(job: DeliverJob): Promise<void> {
    const { tenantId, deliveryId } = job;
    const state = await db.withTenant(tenantId, async (tx) => {
      const delivery = await tx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .executeTakeFirst();
      // A stale job (the attempt it was for has run, or the delivery was deleted) does nothing.
      if (!delivery || (!job.manual && delivery.scheduled_attempt !== job.attempt)) return undefined;
      const subscription = await tx
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('subscription_id', '=', delivery.subscription_id)
        .executeTakeFirst();
      if (!subscription?.active) {
        await tx
          .updateTable('webhook_deliveries')
          .set({
            status: 'failed',
            scheduled_attempt: null,
            next_attempt_at: null,
            last_error: 'The subscription is disabled',
            completed_at: now(),
            updated_at: now(),
          })
          .where('delivery_id', '=', deliveryId)
          .execute();
        return undefined;
      }
      return { delivery: delivery, subscription: subscription };
    });
    if (!state) return;
    const { delivery, subscription } = state;

    const signWith = await signingSecrets(tenantId, subscription);
    const timestamp = Math.floor(now().getTime() / 1000);
    const outcome = await sender.post(
      subscription.url,
      {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'trellis-webhook-id': subscription.subscription_id,
        'trellis-delivery-id': delivery.delivery_id,
        'trellis-event': delivery.event_type,
        [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(signWith, timestamp, delivery.payload),
      },
      delivery.payload,
    );

    await db.withTenant(tenantId, async (tx) => {
      const current = await tx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return;
      const s = await loadSubscription(tx, current.subscription_id, true).catch(() => undefined);
      const at = now();
      const number = current.attempt_count + 1;
      const record: WebhookAttemptRecord = {
        attempt: number,
        at: at.toISOString(),
        manual: job.manual === true,
        statusCode: outcome.statusCode,
        error: outcome.error,
        responseMs: outcome.responseMs,
      };
      const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
      if (!ok) instruments().webhookFailures.add(1);
      const gone = outcome.statusCode === 410;
      const retrying = current.scheduled_attempt !== null && current.scheduled_attempt !== job.attempt;
      let next: { status: WebhookDeliveryStatus; scheduled: number | null; nextAt: Date | null };
      let countFailure = false;
      if (ok) next = { status: 'succeeded', scheduled: null, nextAt: null };
      else if (gone) next = { status: 'failed', scheduled: null, nextAt: null };
      else if (job.manual) {
        // A failed manual attempt leaves an automatic retry cycle in progress untouched.
        next = retrying
          ? {
              status: 'retrying',
              scheduled: current.scheduled_attempt,
              nextAt: current.next_attempt_at as Date,
            }
          : { status: 'failed', scheduled: null, nextAt: null };
      } else {
        const k = job.attempt ?? 1;
        const delaySeconds = config.retrySchedule[k - 1];
        if (delaySeconds !== undefined) {
          // Up to 10% jitter, so a receiver coming back is not hit by every retry at once.
          const delayMs = delaySeconds * 1000 + randomInt(Math.max(1, Math.floor(delaySeconds * 100)));
          const nextAt = new Date(at.getTime() + delayMs);
          next = { status: 'retrying', scheduled: k + 1, nextAt };
          await jobs.send<DeliverJob>(
            DELIVER_QUEUE,
            { tenantId, deliveryId, attempt: k + 1 },
            { tx, startAfter: nextAt },
          );
        } else {
          next = { status: 'failed', scheduled: null, nextAt: null };
          countFailure = true;
        }
      }
      const finished = next.status === 'succeeded' || next.status === 'failed';
      await tx
        .updateTable('webhook_deliveries')
        .set({
          status: next.status,
          attempt_count: number,
          scheduled_attempt: next.scheduled,
          next_attempt_at: next.nextAt,
          last_status_code: outcome.statusCode,
          last_error: outcome.error ?? (ok ? null : `HTTP ${outcome.statusCode}`),
          last_response_ms: outcome.responseMs,
          attempts: JSON.stringify([...current.attempts, record].slice(-ATTEMPTS_KEPT)),
          updated_at: at,
          completed_at: finished ? at : null,
        })
        .where('delivery_id', '=', deliveryId)
        .execute();
      if (!s) return;
      if (ok && s.consecutive_failures > 0) {
        await tx
          .updateTable('webhook_subscriptions')
          .set({ consecutive_failures: 0 })
          .where('subscription_id', '=', s.subscription_id)
          .execute();
      } else if (gone && s.active) {
        await disable(tx, tenantId, s, 'The receiver answered 410 Gone');
      } else if (countFailure) {
        const failures = s.consecutive_failures + 1;
        await tx
          .updateTable('webhook_subscriptions')
          .set({ consecutive_failures: failures })
          .where('subscription_id', '=', s.subscription_id)
          .execute();
        if (failures >= config.disableAfterFailures && s.active) {
          await disable(tx, tenantId, s, `${failures} consecutive deliveries failed`);
        }
      }
    });
  }

  jobs.define<DeliverJob>(
    DELIVER_QUEUE,
    // Retries here only cover crashes and database errors: HTTP failures follow the retry schedule.
    { retryLimit: 5, retryDelaySeconds: 5, expireInSeconds: 120, concurrency: 8 },
    ({ data }) => attempt(data),
  );

  return {
    async create(tenantId, input) {
      const url = assertWebhookUrl(input.url, config.allowPrivateNetworks).toString();
      const events = normaliseEvents(input.events);
      const description = normaliseDescription(input.description);
      const secret = generateWebhookSecret();
      const secretId = await secrets.put(tenantId, SECRET_KIND, secret);
      try {
        return await db.withTenant(tenantId, async (tx) => {
          const at = now();
          const row = await tx
            .insertInto('webhook_subscriptions')
            .values({
              tenant_id: tenantId,
              subscription_id: randomUUID(),
              url,
              description,
              event_types: events,
              active: input.active ?? true,
              disabled_reason: null,
              secret_id: secretId,
              previous_secret_id: null,
              previous_secret_expires_at: null,
              created_by: input.actor.id,
              created_at: at,
              updated_at: at,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const created = subscriptionOf(row);
          await recordAudit(tx, tenantId, {
            actor: input.actor,
            action: 'webhook.created',
            target: { type: 'webhook', id: created.webhookId },
            after: audited(created),
            ...(input.source ? { source: input.source } : {}),
          });
          return { ...created, secret };
        });
      } catch (error) {
        await secrets.delete(tenantId, secretId).catch(() => {});
        throw error;
      }
    },

    async list(tenantId, page) {
      const rows = await db.withTenant(tenantId, (tx) => {
        let q = tx.selectFrom('webhook_subscriptions').selectAll();
        const after = page.after;
        if (after) {
          const at = new Date(after.createdAt);
          q = q.where((eb) =>
            eb.or([
              eb('created_at', '<', at),
              eb.and([eb('created_at', '=', at), eb('subscription_id', '<', after.webhookId)]),
            ]),
          );
        }
        return q.orderBy('created_at', 'desc').orderBy('subscription_id', 'desc').limit(page.limit).execute();
      });
      return rows.map((r) => subscriptionOf(r));
    },

    async get(tenantId, webhookId) {
      return subscriptionOf(await db.withTenant(tenantId, (tx) => loadSubscription(tx, webhookId)));
    },

    async update(tenantId, webhookId, patch) {
      const url =
        patch.url === undefined
          ? undefined
          : assertWebhookUrl(patch.url, config.allowPrivateNetworks).toString();
      const events = patch.events === undefined ? undefined : normaliseEvents(patch.events);
      const description =
        patch.description === undefined ? undefined : normaliseDescription(patch.description);
      return db.withTenant(tenantId, async (tx) => {
        const before = subscriptionOf(await loadSubscription(tx, webhookId, true));
        const reactivated = patch.active === true && !before.active;
        const row = await tx
          .updateTable('webhook_subscriptions')
          .set({
            ...(url === undefined ? {} : { url }),
            ...(events === undefined ? {} : { event_types: events }),
            ...(description === undefined ? {} : { description }),
            ...(patch.active === undefined ? {} : { active: patch.active }),
            ...(patch.active === false ? { disabled_reason: null } : {}),
            ...(reactivated ? { disabled_reason: null, consecutive_failures: 0 } : {}),
            updated_at: now(),
          })
          .where('subscription_id', '=', webhookId)
          .returningAll()
          .executeTakeFirstOrThrow();
        const after = subscriptionOf(row);
        await recordAudit(tx, tenantId, {
          actor: patch.actor,
          action: 'webhook.updated',
          target: { type: 'webhook', id: webhookId },
          before: audited(before),
          after: audited(after),
          ...(patch.source ? { source: patch.source } : {}),
        });
        return after;
      });
    },

    async remove(tenantId, webhookId, change) {
      const removed = await db.withTenant(tenantId, async (tx) => {
        const row = await loadSubscription(tx, webhookId, true);
        await tx.deleteFrom('webhook_subscriptions').where('subscription_id', '=', webhookId).execute();
        await recordAudit(tx, tenantId, {
          actor: change.actor,
          action: 'webhook.deleted',
          target: { type: 'webhook', id: webhookId },
          before: audited(subscriptionOf(row)),
          ...(change.source ? { source: change.source } : {}),
        });
        return row;
      });
      for (const id of [removed.secret_id, removed.previous_secret_id]) {
        if (id) await secrets.delete(tenantId, id).catch(() => {});
      }
    },

    async rotateSecret(tenantId, webhookId, change) {
      await this.get(tenantId, webhookId);
      const secret = generateWebhookSecret();
      const secretId = await secrets.put(tenantId, SECRET_KIND, secret);
      let dropped: string | null = null;
      try {
        const result = await db.withTenant(tenantId, async (tx) => {
          const row = await loadSubscription(tx, webhookId, true);
          dropped = row.previous_secret_id;
          const expiresAt = new Date(now().getTime() + ROTATION_OVERLAP_MS);
          const updated = await tx
            .updateTable('webhook_subscriptions')
            .set({
              secret_id: secretId,
              previous_secret_id: row.secret_id,
              previous_secret_expires_at: expiresAt,
              updated_at: now(),
            })
            .where('subscription_id', '=', webhookId)
            .returningAll()
            .executeTakeFirstOrThrow();
          await recordAudit(tx, tenantId, {
            actor: change.actor,
            action: 'webhook.secret_rotated',
            target: { type: 'webhook', id: webhookId },
            after: { previousSecretExpiresAt: expiresAt.toISOString() },
            ...(change.source ? { source: change.source } : {}),
          });
          return { ...subscriptionOf(updated), secret };
        });
        // The secret before the previous one stops signing now: at most two are ever valid.
        if (dropped) await secrets.delete(tenantId, dropped).catch(() => {});
        return result;
      } catch (error) {
        await secrets.delete(tenantId, secretId).catch(() => {});
        throw error;
      }
    },

    async ping(tenantId, webhookId, change) {
      return db.withTenant(tenantId, async (tx) => {
        const s = await loadSubscription(tx, webhookId);
        if (!s.active) throw errors.conflict('The webhook is disabled; activate it first');
        const eventId = randomUUID();
        const payload = payloadOf({
          eventId,
          type: WEBHOOK_PING,
          occurredAt: now().toISOString(),
          tenantId,
          subject: { type: 'webhook', id: webhookId },
          actor: { type: change.actor.type, id: change.actor.id },
          data: { webhookId, url: s.url },
        });
        const delivery = await createDelivery(tx, tenantId, webhookId, {
          eventId,
          type: WEBHOOK_PING,
          payload,
        });
        if (!delivery) throw errors.internal('The ping delivery was not created');
        await recordAudit(tx, tenantId, {
          actor: change.actor,
          action: 'webhook.pinged',
          target: { type: 'webhook', id: webhookId },
          after: { deliveryId: delivery.delivery_id },
          ...(change.source ? { source: change.source } : {}),
        });
        return deliveryOf(delivery);
      });
    },

    async listDeliveries(tenantId, webhookId, query) {
      const rows = await db.withTenant(tenantId, async (tx) => {
        await loadSubscription(tx, webhookId);
        let q = tx.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', webhookId);
        if (query.status) q = q.where('status', '=', query.status);
        if (query.eventType) q = q.where('event_type', '=', query.eventType);
        const after = query.after;
        if (after) {
          const at = new Date(after.createdAt);
          q = q.where((eb) =>
            eb.or([
              eb('created_at', '<', at),
              eb.and([eb('created_at', '=', at), eb('delivery_id', '<', after.deliveryId)]),
            ]),
          );
        }
        return q.orderBy('created_at', 'desc').orderBy('delivery_id', 'desc').limit(query.limit).execute();
      });
      return rows.map((r) => deliveryOf(r));
    },

    async getDelivery(tenantId, webhookId, deliveryId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('subscription_id', '=', webhookId)
          .where('delivery_id', '=', deliveryId)
          .executeTakeFirst(),
      );
      if (!row) throw errors.notFound('Delivery');
      return { ...deliveryOf(row), payload: JSON.parse(row.payload) as unknown };
    },

    async redeliver(tenantId, webhookId, deliveryId, change) {
      return db.withTenant(tenantId, async (tx) => {
        const row = await tx
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('subscription_id', '=', webhookId)
          .where('delivery_id', '=', deliveryId)
          .executeTakeFirst();
        if (!row) throw errors.notFound('Delivery');
        const s = await loadSubscription(tx, webhookId);
        if (!s.active) throw errors.conflict('The webhook is disabled; activate it first');
        await jobs.send<DeliverJob>(DELIVER_QUEUE, { tenantId, deliveryId, manual: true }, { tx });
        await recordAudit(tx, tenantId, {
          actor: change.actor,
          action: 'webhook.delivery_redelivered',
          target: { type: 'webhook_delivery', id: deliveryId },
          after: { webhookId, eventId: row.event_id, eventType: row.event_type },
          ...(change.source ? { source: change.source } : {}),
        });
        return deliveryOf(row);
      });
    },

    async fanOut(event) {
      if (event.type === WEBHOOK_PING) return 0;
      return db.withTenant(event.tenantId, async (tx) => {
        const subscriptions = await tx
          .selectFrom('webhook_subscriptions')
          .select('subscription_id')
          .where('active', '=', true)
          .where(sql<boolean>`event_types && ${sql.val([event.type, '*'])}::text[]`)
          .execute();
        if (subscriptions.length === 0) return 0;
        const payload = payloadOf(event);
        let created = 0;
        for (const { subscription_id } of subscriptions) {
          const row = await createDelivery(tx, event.tenantId, subscription_id, {
            eventId: event.eventId,
            type: event.type,
            payload,
          });
          if (row) created++;
        }
        return created;
      });
    },
  };
}
