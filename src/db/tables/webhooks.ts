import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../schema.ts';

export interface DomainEventsTable {
  tenant_id: string;
  occurred_at: Timestamp;
  event_id: string;
  type: string;
  subject_type: string;
  subject_id: string;
  actor_type: 'user' | 'api_token' | 'system' | null;
  actor_id: string | null;
  data: Json<Record<string, unknown>>;
  dispatched_at: Timestamp | null;
}

export interface WebhookSubscriptionsTable {
  tenant_id: string;
  subscription_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  active: Generated<boolean>;
  disabled_reason: string | null;
  secret_id: string;
  previous_secret_id: string | null;
  previous_secret_expires_at: Timestamp | null;
  consecutive_failures: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

/** One attempt of a delivery, as kept in `webhook_deliveries.attempts`. */
export interface WebhookAttemptRecord {
  attempt: number;
  at: string;
  manual: boolean;
  statusCode: number | null;
  error: string | null;
  responseMs: number;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'retrying';

export interface WebhookDeliveriesTable {
  tenant_id: string;
  delivery_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempt_count: Generated<number>;
  scheduled_attempt: number | null;
  next_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  last_response_ms: number | null;
  attempts: Json<WebhookAttemptRecord[]>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

/** Row types of the event and webhook tables (snake_case, as in SQL). */
export interface WebhookTables {
  domain_events: DomainEventsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
