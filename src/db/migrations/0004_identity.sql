-- Identity: the users who signed in, the roles given to them in Trellis (directly or through an
-- Entra group), and the Idempotency-Key records of the REST API. Everything is tenant-scoped.

-- Users of a tenant, recorded at sign-in (last_seen_at is written at most once a minute).
CREATE TABLE users (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  -- Entra object id (oid).
  user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 100),
  upn text CHECK (length(upn) <= 256),
  display_name text CHECK (length(display_name) <= 256),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX users_tenant_upn_idx ON users (tenant_id, lower(upn));

-- Roles assigned in Trellis to a user (Entra object id), on top of Entra app roles and groups.
CREATE TABLE role_assignments (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  assignment_id uuid NOT NULL,
  principal_id text NOT NULL CHECK (length(principal_id) BETWEEN 1 AND 100),
  role text NOT NULL CHECK (role IN ('requester', 'approver', 'catalog_manager', 'governance_admin',
    'integration_manager', 'tenant_admin')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, assignment_id)
);
CREATE UNIQUE INDEX role_assignments_principal_role_key ON role_assignments (tenant_id, principal_id, role);

-- Every member (transitive) of an Entra group holds the role.
CREATE TABLE group_role_mappings (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  mapping_id uuid NOT NULL,
  group_id text NOT NULL CHECK (length(group_id) BETWEEN 1 AND 100),
  role text NOT NULL CHECK (role IN ('requester', 'approver', 'catalog_manager', 'governance_admin',
    'integration_manager', 'tenant_admin')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, mapping_id)
);
CREATE UNIQUE INDEX group_role_mappings_group_role_key ON group_role_mappings (tenant_id, group_id, role);

-- Idempotency-Key: the first response to a creating POST, replayed for a repeated key (24 h).
CREATE TABLE idempotency_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  -- SHA-256 of caller, method, route and the client's key: the client's key is never stored.
  key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  -- SHA-256 of the canonical request (path parameters, query, body).
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key_hash)
);
CREATE INDEX idempotency_keys_tenant_expires_idx ON idempotency_keys (tenant_id, expires_at);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON role_assignments
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE group_role_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE group_role_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON group_role_mappings
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE ON users TO trellis_app;
GRANT SELECT, INSERT, DELETE ON role_assignments, group_role_mappings TO trellis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO trellis_app;
