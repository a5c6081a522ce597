-- Domain events: a transactional outbox. An event is written in the transaction of the change it
-- describes, so it exists if and only if that change committed; a durable job then hands it to
-- subscribers (webhooks, the bot, the tabs) at least once.

CREATE TABLE domain_events (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  occurred_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  event_id uuid NOT NULL,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  actor_type text CHECK (actor_type IN ('user', 'api_token', 'system')),
  actor_id text,
  data jsonb NOT NULL,
  dispatched_at timestamptz,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX domain_events_tenant_time_idx ON domain_events (tenant_id, occurred_at);
CREATE INDEX domain_events_tenant_subject_idx ON domain_events (tenant_id, subject_type, subject_id, occurred_at);

ALTER TABLE domain_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE domain_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON domain_events
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT ON domain_events TO trellis_app;
GRANT UPDATE (dispatched_at) ON domain_events TO trellis_app;
