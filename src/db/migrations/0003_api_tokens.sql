-- API tokens for integrators: only a SHA-256 hash of each token is stored. Authentication looks a
-- token up by its hash before the tenant is known (a platform-scope read); everything else is
-- tenant-scoped like every other table.

CREATE TABLE api_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  token_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- Shown in listings so people can tell tokens apart: `trl_AbCd…wxyz`.
  display_hint text NOT NULL,
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 20),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  PRIMARY KEY (tenant_id, token_id),
  CHECK (expires_at > created_at)
);
-- Authentication by hash, across tenants.
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE ON api_tokens TO trellis_app;
