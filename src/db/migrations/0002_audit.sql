-- Audit trail: append-only per tenant. The application role may insert and read, never change
-- or remove; a trigger refuses UPDATE and DELETE even for roles that hold those privileges
-- (only dropping the tenant's rows by cascade, as platform admin, removes history).

CREATE TABLE audit_events (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  -- Millisecond precision: cursors carry the timestamp through JavaScript without loss.
  occurred_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  event_id uuid NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'system')),
  actor_id text NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 200),
  actor_name text,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  target_type text NOT NULL CHECK (length(target_type) BETWEEN 1 AND 100),
  target_id text NOT NULL CHECK (length(target_id) BETWEEN 1 AND 200),
  source_ip inet,
  user_agent text CHECK (length(user_agent) <= 512),
  request_id text CHECK (length(request_id) <= 128),
  before jsonb,
  after jsonb,
  PRIMARY KEY (tenant_id, occurred_at, event_id)
);
CREATE INDEX audit_events_tenant_action_idx ON audit_events (tenant_id, action, occurred_at);
CREATE INDEX audit_events_tenant_target_idx ON audit_events (tenant_id, target_type, target_id, occurred_at);
CREATE INDEX audit_events_tenant_actor_idx ON audit_events (tenant_id, actor_id, occurred_at);

CREATE OR REPLACE FUNCTION trellis_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  -- A tenant's deletion cascades here; everything else is refused.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenants WHERE tenant_id = OLD.tenant_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION trellis_audit_append_only();

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT ON audit_events TO trellis_app;
