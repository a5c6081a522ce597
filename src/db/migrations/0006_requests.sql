-- Team requests and their approvals. A request pins the template version it was made from; its
-- approval stages are resolved (approvers named) when each stage opens; every edit, comment,
-- decision and transition is kept in request_activity, the request's timeline.

CREATE TABLE requests (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  template_id uuid NOT NULL,
  template_slug text NOT NULL,
  template_version integer NOT NULL CHECK (template_version > 0),
  status text NOT NULL CHECK (status IN ('draft', 'pending_approval', 'approved', 'provisioning',
    'completed', 'completed_with_drift', 'failed', 'rejected', 'cancelled', 'expired')),
  -- Who asked: a user (Entra object id) or an API token acting for a user.
  created_by_type text NOT NULL CHECK (created_by_type IN ('user', 'api_token')),
  created_by_id text NOT NULL,
  requester_id text NOT NULL CHECK (length(requester_id) BETWEEN 1 AND 200),
  requester_name text,
  requested_name text NOT NULL CHECK (length(requested_name) BETWEEN 1 AND 256),
  description text CHECK (length(description) <= 1024),
  welcome_message text CHECK (length(welcome_message) <= 4000),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  owners text[] NOT NULL DEFAULT '{}',
  members text[] NOT NULL DEFAULT '{}',
  -- The rendered names (display name, nickname, description, welcome message).
  names jsonb,
  current_stage integer,
  stage_count integer NOT NULL DEFAULT 0,
  -- Bumped by every change: optimistic concurrency for edits.
  revision integer NOT NULL DEFAULT 1,
  submitted_at timestamptz,
  decided_at timestamptz,
  expires_at timestamptz,
  -- Copied from the template at submission: later template edits do not move running clocks.
  reminder_after_hours integer CHECK (reminder_after_hours > 0),
  closed_reason text,
  team_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX requests_tenant_created_idx ON requests (tenant_id, created_at DESC, request_id DESC);
CREATE INDEX requests_tenant_status_idx ON requests (tenant_id, status, created_at DESC);
CREATE INDEX requests_tenant_requester_idx ON requests (tenant_id, requester_id, created_at DESC);
CREATE INDEX requests_tenant_expiry_idx ON requests (tenant_id, expires_at) WHERE status = 'pending_approval';
CREATE INDEX requests_metadata_idx ON requests USING gin (metadata jsonb_path_ops);

CREATE TABLE request_stages (
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  stage integer NOT NULL CHECK (stage >= 0),
  name text NOT NULL,
  allow_edit boolean NOT NULL,
  -- Resolved when the stage opens: [{ id, userPrincipalName, displayName, via }].
  approvers jsonb NOT NULL DEFAULT '[]'::jsonb,
  status text NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected', 'cancelled', 'expired')),
  opened_at timestamptz,
  last_reminder_at timestamptz,
  reminders_sent integer NOT NULL DEFAULT 0,
  decided_at timestamptz,
  decided_by_type text,
  decided_by_id text,
  decided_by_name text,
  comment text,
  PRIMARY KEY (tenant_id, request_id, stage),
  FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, request_id) ON DELETE CASCADE
);
-- "What waits on me": pending stages, searched by approver.
CREATE INDEX request_stages_pending_idx ON request_stages (tenant_id, status, opened_at) WHERE status = 'pending';
CREATE INDEX request_stages_approvers_idx ON request_stages USING gin (approvers jsonb_path_ops);

CREATE TABLE request_activity (
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  activity_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('created', 'submitted', 'edited', 'commented', 'approved', 'rejected',
    'cancelled', 'expired', 'reminded', 'stage_opened', 'transitioned')),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'system')),
  actor_id text NOT NULL,
  actor_name text,
  stage integer,
  body text CHECK (length(body) <= 4000),
  -- For edits: { changes: [{ field, before, after }], patch: RFC 6902 }.
  diff jsonb,
  from_status text,
  to_status text,
  PRIMARY KEY (tenant_id, request_id, at, activity_id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, request_id) ON DELETE CASCADE
);

ALTER TABLE requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON requests
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE request_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON request_stages
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE request_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_activity FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON request_activity
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE ON requests, request_stages TO trellis_app;
-- The timeline is append-only for the application.
GRANT SELECT, INSERT ON request_activity TO trellis_app;
