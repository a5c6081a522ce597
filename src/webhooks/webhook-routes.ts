import { Type } from 'typebox';
import type { ApiRoutes } from '../api/api-types.ts';
import { auditActorOf } from '../api/caller.ts';
import { DEFAULT_PAGE_SIZE, decodeCursor, PageQuery, pageOf, toPage } from '../api/pagination.ts';
import { callerOf, sourceOf } from '../api/request-context.ts';
import { DateTime, errorResponses, Uuid } from '../api/schemas.ts';
import { SUBSCRIBABLE_EVENT_TYPES } from './webhook-service.ts';

const TAGS = ['Webhooks'];
const EventName = Type.Enum(['*', ...SUBSCRIBABLE_EVENT_TYPES], {
  description: 'An event type, or `*` for every type.',
});
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('retrying'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const WebhookSchema = Type.Object({
  webhookId: Uuid,
  url: Type.String({ format: 'uri' }),
  description: Nullable(Type.String()),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  disabledReason: Nullable(
    Type.String({ description: 'Why Trellis disabled it (410 Gone, repeated failures); null otherwise.' }),
  ),
  consecutiveFailures: Type.Integer({ minimum: 0 }),
  previousSecretExpiresAt: Nullable(DateTime),
  createdBy: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const WebhookWithSecretSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({
    pattern: '^whsec_[0-9A-Za-z]{32}$',
    description: 'The signing secret: shown in this response only.',
  }),
});

const AttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  at: DateTime,
  manual: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  responseMs: Type.Integer({ minimum: 0 }),
});

export const DeliverySchema = Type.Object({
  deliveryId: Uuid,
  webhookId: Uuid,
  eventId: Uuid,
  eventType: Type.String(),
  status: Status,
  attemptCount: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Nullable(DateTime),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastResponseMs: Nullable(Type.Integer()),
  attempts: Type.Array(AttemptSchema, { description: 'The latest attempts (up to 25), oldest first.' }),
  createdAt: DateTime,
  updatedAt: DateTime,
  completedAt: Nullable(DateTime),
});

const DeliveryDetailSchema = Type.Object({
  ...DeliverySchema.properties,
  payload: Type.Unknown({ description: 'The JSON body POSTed on every attempt.' }),
});

const Url = Type.String({ minLength: 9, maxLength: 2048, description: 'An https:// URL.' });
const Events = Type.Array(EventName, { minItems: 1, maxItems: 100, uniqueItems: true });
const Description = Nullable(Type.String({ maxLength: 500 }));

const CreateBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean({ description: 'Re-activating resets the failure count.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const WebhookParams = Type.Object({ webhookId: Uuid });
const DeliveryParams = Type.Object({ webhookId: Uuid, deliveryId: Uuid });
const DeliveryQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(Status),
  eventType: Type.Optional(Type.String({ maxLength: 100 })),
});
const LISTING = 'webhooks';
const DELIVERIES = 'webhook-deliveries';

/** Webhook subscriptions, their secrets and their delivery log (scope `webhooks:manage`). */
export const webhookRoutes: ApiRoutes = async (app, deps) => {
  const webhooks = deps.domain.webhooks;
  const change = (request: Parameters<typeof callerOf>[0]) => ({
    actor: auditActorOf(callerOf(request)),
    source: sourceOf(request),
  });

  app.post(
    '/webhooks',
    {
      config: { access: 'webhooks:manage', idempotent: true, cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to events (the response is the only time the secret is shown)',
        body: CreateBody,
        response: { 201: WebhookWithSecretSchema, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(callerOf(request).tenantId, {
        ...request.body,
        ...change(request),
      });
      return reply.code(201).header('location', `/api/v1/webhooks/${created.webhookId}`).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      config: { access: 'webhooks:manage' },
      schema: {
        tags: TAGS,
        operationId: 'listWebhooks',
        summary: 'List webhook subscriptions, newest first',
        querystring: PageQuery,
        response: { 200: pageOf(WebhookSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE;
      const position = request.query.cursor ? decodeCursor(LISTING, request.query.cursor, 2) : undefined;
      const rows = await webhooks.list(callerOf(request).tenantId, {
        after: position ? { createdAt: String(position[0]), webhookId: String(position[1]) } : undefined,
        limit: limit + 1,
      });
      return toPage(rows, limit, LISTING, (w) => [w.createdAt, w.webhookId]);
    },
  );

  app.get(
    '/webhooks/:webhookId',
    {
      config: { access: 'webhooks:manage' },
      schema: {
        tags: TAGS,
        operationId: 'getWebhook',
        summary: 'Read a webhook subscription',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => webhooks.get(callerOf(request).tenantId, request.params.webhookId),
  );

  app.patch(
    '/webhooks/:webhookId',
    {
      config: { access: 'webhooks:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'updateWebhook',
        summary: 'Change the URL, events, description or active state of a subscription',
        params: WebhookParams,
        body: PatchBody,
        response: { 200: WebhookSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      webhooks.update(callerOf(request).tenantId, request.params.webhookId, {
        ...request.body,
        ...change(request),
      }),
  );

  app.delete(
    '/webhooks/:webhookId',
    {
      config: { access: 'webhooks:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'deleteWebhook',
        summary: 'Delete a subscription, its secrets and its delivery log',
        params: WebhookParams,
        response: { 204: Type.Null(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(callerOf(request).tenantId, request.params.webhookId, change(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/:webhookId/rotate-secret',
    {
      config: { access: 'webhooks:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'rotateWebhookSecret',
        summary: 'Issue a new signing secret; the previous one keeps signing for 24 hours',
        params: WebhookParams,
        response: { 200: WebhookWithSecretSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      webhooks.rotateSecret(callerOf(request).tenantId, request.params.webhookId, change(request)),
  );

  app.post(
    '/webhooks/:webhookId/ping',
    {
      config: { access: 'webhooks:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'pingWebhook',
        summary: 'Send a `webhook.ping` test delivery to this subscription',
        params: WebhookParams,
        response: { 202: DeliverySchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.ping(
        callerOf(request).tenantId,
        request.params.webhookId,
        change(request),
      );
      return reply
        .code(202)
        .header('location', `/api/v1/webhooks/${delivery.webhookId}/deliveries/${delivery.deliveryId}`)
        .send(delivery);
    },
  );

  app.get(
    '/webhooks/:webhookId/deliveries',
    {
      config: { access: 'webhooks:manage' },
      schema: {
        tags: TAGS,
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log of a subscription, newest first',
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: pageOf(DeliverySchema), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE;
      const position = request.query.cursor ? decodeCursor(DELIVERIES, request.query.cursor, 2) : undefined;
      const rows = await webhooks.listDeliveries(callerOf(request).tenantId, request.params.webhookId, {
        status: request.query.status,
        eventType: request.query.eventType,
        after: position ? { createdAt: String(position[0]), deliveryId: String(position[1]) } : undefined,
        limit: limit + 1,
      });
      return toPage(rows, limit, DELIVERIES, (d) => [d.createdAt, d.deliveryId]);
    },
  );

  app.get(
    '/webhooks/:webhookId/deliveries/:deliveryId',
    {
      config: { access: 'webhooks:manage' },
      schema: {
        tags: TAGS,
        operationId: 'getWebhookDelivery',
        summary: 'A delivery with its attempts and the body sent',
        params: DeliveryParams,
        response: { 200: DeliveryDetailSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      webhooks.getDelivery(callerOf(request).tenantId, request.params.webhookId, request.params.deliveryId),
  );

  app.post(
    '/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    {
      config: { access: 'webhooks:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'redeliverWebhookDelivery',
        summary: 'Attempt a delivery once more, now (a new attempt in its log)',
        params: DeliveryParams,
        response: { 202: DeliverySchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { webhookId, deliveryId } = request.params;
      const delivery = await webhooks.redeliver(
        callerOf(request).tenantId,
        webhookId,
        deliveryId,
        change(request),
      );
      return reply.code(202).send(delivery);
    },
  );
};
