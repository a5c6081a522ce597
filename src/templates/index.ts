export { canonicalize } from './canonicalize-document.ts';
export {
  checkFieldDefinition,
  checkTemplate,
  parseTemplate,
  type TemplateCheckContext,
  type TemplateCheckResult,
  type TemplateIssue,
} from './check-template.ts';
export {
  createTemplateService,
  requesterProfileOf,
  type TemplateServiceDeps,
} from './create-template-service.ts';
export { diffTemplates, type JsonPatchOperation, type TemplateDiff } from './diff-templates.ts';
export { loadStarterCatalog, type StarterCatalog } from './starter-catalog.ts';
export { TEMPLATE_LIMITS } from './template-limits.ts';
export {
  METADATA_FIELD_TYPES,
  MetadataFieldSchema,
  TemplateDocumentSchema,
  type MetadataFieldDefinition,
  type MetadataFieldType,
  type TemplateApprover,
  type TemplateChannel,
  type TemplateDocument,
  type TemplatePlan,
  type TemplatePrincipal,
  type TemplateTab,
} from './template-schema.ts';
export { renderTemplateJsonSchema, templateJsonSchema } from './template-json-schema.ts';
export type {
  CatalogEntry,
  ChangeContext,
  NamingPreview,
  RuleTestOutcome,
  SaveResult,
  TemplateService,
  TemplateStatus,
  TemplateVersionView,
  TemplateView,
  TenantMetadataField,
} from './template-types.ts';
export { toIsoDate, validateMetadataValues } from './validate-metadata.ts';
export { registerTemplateSchemaDocument, templatesApiRoutes } from './routes/index.ts';
export { formatOf, formatTemplate, parseTemplateText, type TemplateFormat } from './format-template.ts';
export { readAssets } from './starter-catalog.ts';
export { ASSET_EXTENSIONS, sniffAssetType } from './sniff-asset-type.ts';
