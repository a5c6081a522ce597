-- Webhooks: per-tenant subscriptions (secrets envelope-encrypted in `secrets`) and the delivery
-- log, fed by the durable event subscriber of src/webhooks.

-- Webhook subscriptions: where a tenant's events are POSTed. The signing secret is envelope-encrypted
-- in `secrets`; after a rotation the previous one stays valid for a while (deliveries carry both
-- signatures) so receivers can switch without losing events.
CREATE TABLE webhook_subscriptions (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL,
  url text NOT NULL CHECK (url ~ '^https://' AND length(url) <= 2048),
  description text CHECK (length(description) <= 500),
  -- Event types, or '{*}' for every type.
  event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  -- Why it was turned off automatically (410 Gone, too many failed deliveries); null otherwise.
  disabled_reason text,
  secret_id uuid NOT NULL,
  previous_secret_id uuid,
  previous_secret_expires_at timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subscription_id)
);
CREATE INDEX webhook_subscriptions_tenant_created_idx ON webhook_subscriptions (tenant_id, created_at, subscription_id);

-- One row per (subscription, event); its attempts are kept in a bounded array.
CREATE TABLE webhook_deliveries (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  delivery_id uuid NOT NULL,
  subscription_id uuid NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  -- The exact JSON body POSTed on every attempt.
  payload text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'retrying')),
  attempt_count integer NOT NULL DEFAULT 0,
  -- The automatic attempt a job is scheduled for (null when none): a stale job finds it changed.
  scheduled_attempt integer,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text CHECK (length(last_error) <= 1000),
  last_response_ms integer,
  attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, delivery_id),
  FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, subscription_id) ON DELETE CASCADE
);
-- Fan-out is idempotent: a re-run dispatch finds the delivery it created.
CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (tenant_id, subscription_id, event_id);
CREATE INDEX webhook_deliveries_listing_idx ON webhook_deliveries (tenant_id, subscription_id, created_at DESC, delivery_id DESC);

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscriptions TO trellis_app;
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO trellis_app;
