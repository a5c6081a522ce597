export { assertWebhookUrl, isPrivateAddress } from './webhook-destination.ts';
export { webhookRoutes } from './webhook-routes.ts';
export { type AttemptOutcome, createWebhookSender, type WebhookSender } from './webhook-sender.ts';
export {
  createWebhookService,
  ROTATION_OVERLAP_MS,
  SUBSCRIBABLE_EVENT_TYPES,
  WEBHOOK_PING,
  type WebhookDelivery,
  type WebhookDeliveryDetail,
  type WebhookInput,
  type WebhookService,
  type WebhookSubscription,
  type WebhookWithSecret,
} from './webhook-service.ts';
export {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  type SignatureCheck,
  signatureHeader,
  verifyWebhookSignature,
  WEBHOOK_SECRET_PREFIX,
} from './webhook-signature.ts';
