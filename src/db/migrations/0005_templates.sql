-- Collaboration templates: one row per template (its current state) and its immutable versions.
-- Every change makes a new version; a version's document and asset map never change, so a request
-- pinned to version n provisions exactly what n said, icons and files included. Tenant metadata
-- fields and the content-addressed asset registry live here too.

CREATE TABLE templates (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  template_id uuid NOT NULL,
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'archived')),
  current_version integer NOT NULL CHECK (current_version > 0),
  -- Copied from the current version's document, for catalog filters and search.
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '',
  category text NOT NULL,
  language text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  PRIMARY KEY (tenant_id, template_id)
);
CREATE UNIQUE INDEX templates_slug_key ON templates (tenant_id, slug);
CREATE INDEX templates_name_idx ON templates (tenant_id, name, template_id);

CREATE TABLE template_versions (
  tenant_id uuid NOT NULL,
  template_id uuid NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  document jsonb NOT NULL,
  -- SHA-256 of the canonical JSON of the document (and its asset map): equal hashes, no new version.
  document_hash text NOT NULL CHECK (document_hash ~ '^[0-9a-f]{64}$'),
  -- Asset name → { sha256, contentType, size } as of this version.
  assets jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  comment text CHECK (length(comment) <= 1000),
  PRIMARY KEY (tenant_id, template_id, version),
  FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, template_id) ON DELETE CASCADE
);

-- Blobs of template assets, by content: uploaded once, shared by every version that names them.
CREATE TABLE template_assets (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE metadata_fields (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z][a-zA-Z0-9_]{0,39}$'),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice', 'multi_choice', 'person', 'boolean')),
  required boolean NOT NULL DEFAULT false,
  help_text text CHECK (length(help_text) <= 500),
  validation jsonb,
  choices jsonb,
  -- Template slugs the field applies to; NULL applies to every template.
  applies_to text[],
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  PRIMARY KEY (tenant_id, key)
);

ALTER TABLE templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON templates
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE template_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON template_versions
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE template_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON template_assets
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE metadata_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE metadata_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metadata_fields
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE ON templates TO trellis_app;
-- Versions are immutable: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON template_versions TO trellis_app;
GRANT SELECT, INSERT ON template_assets TO trellis_app;
GRANT SELECT, INSERT, UPDATE ON metadata_fields TO trellis_app;
