-- Provisioning: one run per approved request, the Graph objects each run created (so a resumed run
-- finds them instead of creating them again), and the run's human-readable log.

CREATE TABLE provisioning_runs (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  request_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'completed', 'completed_with_drift', 'failed', 'cancelled')),
  -- What the team must be, frozen by the pre-checks (names, people resolved to ids, template content).
  spec jsonb,
  template_id uuid NOT NULL,
  template_version integer NOT NULL,
  team_id text,
  current_step text,
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  -- Per step: status, attempts, version, started/finished, last error.
  steps jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Incremented by each retry an admin asks for.
  attempt integer NOT NULL DEFAULT 1,
  -- The worker executing the run holds a lease it renews; an expired lease means the worker died.
  lease_owner text,
  lease_expires_at timestamptz,
  -- When a waiting run (throttled, waiting on Graph) may run again.
  wake_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  -- With a cancellation: whether the partial team is to be deleted.
  cancel_remove_team boolean NOT NULL DEFAULT false,
  error jsonb,
  conformance jsonb,
  conformance_rounds integer NOT NULL DEFAULT 0,
  -- After a failed or cancelled run: whether its partial team was removed.
  cleanup text CHECK (cleanup IN ('kept', 'removed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, run_id)
);
-- One run per request: approving twice, or a re-delivered event, finds the run that exists.
CREATE UNIQUE INDEX provisioning_runs_request_key ON provisioning_runs (tenant_id, request_id);
CREATE INDEX provisioning_runs_active_idx ON provisioning_runs (status, lease_expires_at)
  WHERE status IN ('queued', 'running', 'waiting');

-- Every Graph object a run produced, under a key stable across attempts (`channel:Planning`,
-- `tab:Planning/Project plan`, `task:Project plan/Write the charter` …).
CREATE TABLE provisioning_objects (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  key text NOT NULL CHECK (length(key) <= 1200),
  kind text NOT NULL,
  graph_id text NOT NULL,
  data jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, run_id, key),
  FOREIGN KEY (tenant_id, run_id) REFERENCES provisioning_runs (tenant_id, run_id) ON DELETE CASCADE
);

CREATE TABLE provisioning_log (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  log_id bigint GENERATED ALWAYS AS IDENTITY,
  run_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  level text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  step text,
  message text NOT NULL CHECK (length(message) <= 2000),
  data jsonb,
  PRIMARY KEY (tenant_id, log_id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES provisioning_runs (tenant_id, run_id) ON DELETE CASCADE
);
CREATE INDEX provisioning_log_run_idx ON provisioning_log (tenant_id, run_id, log_id);

ALTER TABLE provisioning_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE provisioning_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON provisioning_runs
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE provisioning_objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE provisioning_objects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON provisioning_objects
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE provisioning_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE provisioning_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON provisioning_log
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE ON provisioning_runs TO trellis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON provisioning_objects TO trellis_app;
GRANT SELECT, INSERT ON provisioning_log TO trellis_app;
