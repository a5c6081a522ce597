import type { ColumnType, Generated } from 'kysely';
import type { IdentityTables } from './tables/identity.ts';
import type { RequestTables } from './tables/requests.ts';
import type { TemplateTables } from './tables/templates.ts';
import type { ProvisioningTables } from './tables/provisioning.ts';
import type { WebhookTables } from './tables/webhooks.ts';
import type { TeamsBotTables } from './tables/teams-bot.ts';
import type { GraphThrottleTables } from './tables/graph-throttle.ts';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T> = ColumnType<T, string, string>;

/** Row types of the database, one interface per table (snake_case, as in SQL). */
export interface TenantsTable {
  tenant_id: string;
  slug: string;
  display_name: string;
  entra_tenant_id: string | null;
  status: Generated<'active' | 'suspended'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TenantSettingsTable {
  tenant_id: string;
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface SecretsTable {
  tenant_id: string;
  secret_id: string;
  kind: string;
  key_id: string;
  envelope: Json<unknown>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  tenant_id: string;
  occurred_at: Generated<Date>;
  event_id: string;
  actor_type: 'user' | 'api_token' | 'system';
  actor_id: string;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
}

export interface ApiTokensTable {
  tenant_id: string;
  token_id: string;
  name: string;
  token_hash: string;
  display_hint: string;
  scopes: string[];
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/** Every table; each capability keeps its row types in ./tables/<capability>.ts. */
export interface Database
  extends
    IdentityTables,
    TemplateTables,
    RequestTables,
    WebhookTables,
    ProvisioningTables,
    TeamsBotTables,
    GraphThrottleTables {
  tenants: TenantsTable;
  tenant_settings: TenantSettingsTable;
  secrets: SecretsTable;
  audit_events: AuditEventsTable;
  api_tokens: ApiTokensTable;
  schema_migrations: SchemaMigrationsTable;
}
