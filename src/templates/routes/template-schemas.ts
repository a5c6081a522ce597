import { Type } from 'typebox';
import { DateTime, Uuid } from '../../api/schemas.ts';
import { MetadataFieldSchema, type TemplateDocument } from '../template-schema.ts';

/** A template document; its full schema is published at /schemas/template.v1.json. */
export const DocumentSchema = Type.Unsafe<TemplateDocument>({
  type: 'object',
  additionalProperties: true,
  description: 'A template document, schemaVersion 1 (JSON Schema: /schemas/template.v1.json).',
});

export const IssueSchema = Type.Object({
  path: Type.String({ description: 'JSON Pointer into the document.' }),
  message: Type.String(),
});

export const AssetSchema = Type.Object({
  name: Type.String(),
  sha256: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
});

export const TemplateStatusSchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('disabled'),
  Type.Literal('archived'),
]);

export const TemplateSchema = Type.Object({
  templateId: Uuid,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  category: Type.String(),
  language: Type.String(),
  tags: Type.Array(Type.String()),
  status: TemplateStatusSchema,
  currentVersion: Type.Integer(),
  createdBy: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
  document: DocumentSchema,
  assets: Type.Array(AssetSchema),
  missingAssets: Type.Array(Type.String(), {
    description: 'Asset names the document uses that were not uploaded yet.',
  }),
});

export const PatchOperationSchema = Type.Object({
  op: Type.String(),
  path: Type.String(),
  from: Type.Optional(Type.String()),
  value: Type.Optional(Type.Unknown()),
});

export const DiffSchema = Type.Object({
  patch: Type.Array(PatchOperationSchema, { description: 'RFC 6902 JSON Patch from the older document.' }),
  summary: Type.Array(Type.String()),
});

export const SaveResultSchema = Type.Object({
  template: TemplateSchema,
  changed: Type.Boolean({
    description: 'False when the document equals the current version (no new version).',
  }),
  diff: Type.Union([DiffSchema, Type.Null()]),
});

export const VersionSchema = Type.Object({
  templateId: Uuid,
  version: Type.Integer(),
  documentHash: Type.String(),
  createdBy: Type.String(),
  createdAt: DateTime,
  comment: Type.Union([Type.String(), Type.Null()]),
  assets: Type.Array(AssetSchema),
  document: Type.Optional(DocumentSchema),
});

export const TemplateParams = Type.Object({
  templateId: Type.String({ minLength: 1, maxLength: 100, description: 'Template id (or slug).' }),
});

export const IfMatchHeader = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 20,
      description: 'The version you edited, `"<version>"`: 409 when it is no longer current.',
    }),
  ),
});

export const MetadataFieldDefinitionSchema = MetadataFieldSchema;

export const TenantFieldSchema = Type.Object({
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  required: Type.Boolean(),
  helpText: Type.Optional(Type.String()),
  validation: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  choices: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
  appliesTo: Type.Union([Type.Array(Type.String()), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const FieldDefinitionOut = Type.Object({
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  required: Type.Boolean(),
  helpText: Type.Optional(Type.String()),
  validation: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  choices: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
});

export const CatalogEntrySchema = Type.Object({
  templateId: Uuid,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  category: Type.String(),
  language: Type.String(),
  tags: Type.Array(Type.String()),
  version: Type.Integer(),
  icon: Type.Union([Type.String(), Type.Null()], { description: 'API path of the icon.' }),
  screenshots: Type.Array(Type.String()),
  approvalStages: Type.Integer(),
  metadataFields: Type.Array(FieldDefinitionOut),
  updatedAt: DateTime,
  inAudience: Type.Optional(
    Type.Boolean({
      description: 'Catalog managers and admins: whether they are in the audience themselves.',
    }),
  ),
});

/** Parses `If-Match: "3"` (or `W/"3"`, or `3`) into a version number. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  return match ? Number(match[1]) : Number.NaN;
}
