import type { Generated } from 'kysely';
import type { Json } from '../schema.ts';

export type TemplateStatus = 'active' | 'disabled' | 'archived';

/** An asset as one template version names it. */
export interface TemplateAssetRef {
  sha256: string;
  contentType: string;
  size: number;
}

export interface TemplatesTable {
  tenant_id: string;
  template_id: string;
  slug: string;
  status: Generated<TemplateStatus>;
  current_version: number;
  name: string;
  description: Generated<string>;
  category: string;
  language: string;
  tags: Generated<string[]>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TemplateVersionsTable {
  tenant_id: string;
  template_id: string;
  version: number;
  document: Json<Record<string, unknown>>;
  document_hash: string;
  assets: Json<Record<string, TemplateAssetRef>>;
  created_by: string;
  created_at: Generated<Date>;
  comment: string | null;
}

export interface TemplateAssetsTable {
  tenant_id: string;
  sha256: string;
  content_type: string;
  size: number;
  created_at: Generated<Date>;
}

export interface MetadataFieldsTable {
  tenant_id: string;
  key: string;
  label: string;
  type: string;
  required: Generated<boolean>;
  help_text: string | null;
  validation: Json<Record<string, unknown>> | null;
  choices: Json<{ value: string; label: string }[]> | null;
  applies_to: string[] | null;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Row types of the templates tables (snake_case, as in SQL). */
export interface TemplateTables {
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  template_assets: TemplateAssetsTable;
  metadata_fields: MetadataFieldsTable;
}
