-- Tenancy: the tenants table, the role the application runs as, and the two functions every
-- row-level-security policy uses. tenant_id leads every primary key and index (Citus-ready).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trellis_app') THEN
    CREATE ROLE trellis_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO trellis_app;

-- The tenant of the current transaction, set with SET LOCAL (set_config(..., true)).
CREATE OR REPLACE FUNCTION trellis_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Platform-admin transactions (tenant onboarding, key re-wrapping) see every tenant.
CREATE OR REPLACE FUNCTION trellis_is_platform() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

GRANT EXECUTE ON FUNCTION trellis_current_tenant() TO trellis_app;
GRANT EXECUTE ON FUNCTION trellis_is_platform() TO trellis_app;

CREATE TABLE tenants (
  tenant_id uuid PRIMARY KEY,
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 256),
  entra_tenant_id uuid,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Platform-wide look-ups (sign-in maps an Entra tenant to a Trellis tenant).
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);
CREATE UNIQUE INDEX tenants_entra_tenant_id_key ON tenants (entra_tenant_id) WHERE entra_tenant_id IS NOT NULL;

CREATE TABLE tenant_settings (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);

-- Every secret at rest lives here, envelope-encrypted; other tables point at secret_id.
CREATE TABLE secrets (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  secret_id uuid NOT NULL,
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
  key_id text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, secret_id)
);
CREATE INDEX secrets_tenant_key_id_idx ON secrets (tenant_id, key_id);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_settings
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON secrets
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, tenant_settings, secrets TO trellis_app;
-- Readiness and `trellis doctor` compare applied migrations with the code.
GRANT SELECT ON schema_migrations TO trellis_app;
