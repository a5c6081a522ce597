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

/** Row types of the event and webhook tables (snake_case, as in SQL). */
export interface WebhookTables {
  domain_events: DomainEventsTable;
}
