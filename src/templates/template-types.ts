import type { Caller } from '../api/caller.ts';
import type { AuditActor, AuditSource } from '../audit/index.ts';
import type { TemplateAssetRef, TemplateStatus } from '../db/tables/templates.ts';
import type {
  NameConflict,
  NamingRules,
  NamingViolation,
  RenderedNames,
  RequesterProfile,
} from '../naming/index.ts';
import type { PolicyUser } from '../policy/index.ts';
import type { TemplateIssue } from './check-template.ts';
import type { TemplateDiff } from './diff-templates.ts';
import type { MetadataFieldDefinition, TemplateDocument } from './template-schema.ts';

export type { TemplateAssetRef, TemplateStatus };

/** Who changed something, and from where (for the audit trail). */
export interface ChangeContext {
  actor: AuditActor;
  source?: AuditSource | undefined;
}

/** An asset as a version names it. */
export interface TemplateAssetView extends TemplateAssetRef {
  name: string;
}

/** A template and its current version. */
export interface TemplateView {
  templateId: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  language: string;
  tags: string[];
  status: TemplateStatus;
  currentVersion: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  document: TemplateDocument;
  assets: TemplateAssetView[];
  /** Asset names the document uses that were not uploaded (provisioning skips them). */
  missingAssets: string[];
}

/** One immutable version (document only when asked for a single version). */
export interface TemplateVersionView {
  templateId: string;
  version: number;
  documentHash: string;
  createdBy: string;
  createdAt: string;
  comment: string | null;
  assets: TemplateAssetView[];
  document?: TemplateDocument;
}

/** Result of a save: `changed` is false when the document (and assets) equal the current version. */
export interface SaveResult {
  template: TemplateView;
  changed: boolean;
  diff: TemplateDiff | null;
}

/** A tenant metadata field. */
export interface TenantMetadataField extends MetadataFieldDefinition {
  /** Template slugs the field applies to; null = every template. */
  appliesTo: string[] | null;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

/** What a catalog entry shows a requester. */
export interface CatalogEntry {
  templateId: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  language: string;
  tags: string[];
  version: number;
  icon: string | null;
  screenshots: string[];
  approvalStages: number;
  /** The fields a request for this template collects (tenant and template fields). */
  metadataFields: MetadataFieldDefinition[];
  updatedAt: string;
  /** Set for catalog managers, admins and tokens, who see every template. */
  inAudience?: boolean;
}

export interface CatalogFilter {
  category?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  language?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface TemplateListFilter extends CatalogFilter {
  status?: TemplateStatus | undefined;
}

/** Inputs of the naming preview. */
export interface NamingPreviewInput {
  document: TemplateDocument;
  templateSlug: string;
  templateName: string;
  requestName: string;
  metadata: Record<string, unknown>;
  requester: RequesterProfile;
  entraTenantId: string | null;
  now?: Date;
}

export interface NamingPreview {
  names: RenderedNames | null;
  violations: NamingViolation[];
  conflicts: NameConflict[];
  proposedMailNickname: string | null;
}

/** Result of testing an audience or approver rule against a user. */
export interface RuleTestOutcome {
  kind: 'audience' | 'approver';
  valid: boolean;
  /** Audience: whether the user is in it. */
  allowed?: boolean;
  /** Approver: who would approve a request of this user. */
  approvers?: string[];
  error: { message: string; details?: Record<string, unknown> } | null;
  durationMs: number;
  user: PolicyUser;
}

/** The template catalog: authoring (versions, assets, metadata fields) and the contract requests use. */
export interface TemplateService {
  /** Current (or given) version of an active template, by id or slug. @throws AppError not_found when missing/inactive. */
  getForRequest(
    tenantId: string,
    idOrSlug: string,
    version?: number,
  ): Promise<{ templateId: string; slug: string; name: string; version: number; document: TemplateDocument }>;
  /** Audience check for a user (fail-closed). */
  isInAudience(tenantId: string, document: TemplateDocument, user: PolicyUser): boolean;
  /** Renders the names a request would get and checks them (limits, conflicts in the directory). */
  previewNames(tenantId: string, input: NamingPreviewInput): Promise<NamingPreview>;
  /** Validates and normalizes request metadata against tenant + template fields. @throws validation AppError with details.fields */
  validateMetadata(
    tenantId: string,
    document: TemplateDocument,
    values: Record<string, unknown>,
    entraTenantId: string | null,
  ): Promise<Record<string, unknown>>;
  /** Seeds the starter catalog; templates whose slug exists are left alone. */
  seedStarterCatalog(tenantId: string, actor: AuditActor): Promise<void>;

  /** Save-time checks without saving. */
  validate(
    tenantId: string | null,
    document: unknown,
  ): Promise<{ valid: boolean; issues: TemplateIssue[]; document: TemplateDocument | null }>;
  /** @throws AppError validation_failed (details.issues), conflict when the slug exists */
  create(
    tenantId: string,
    input: {
      document: unknown;
      comment?: string | undefined;
      /** Asset contents saved with version 1 (the CLI's --with-assets, the starter catalog). */
      assets?: readonly { name: string; data: Buffer }[] | undefined;
    },
    change: ChangeContext,
  ): Promise<TemplateView>;
  /**
   * Saves a new version (none when nothing changed).
   * @throws AppError conflict when `baseVersion` is not the current version, validation_failed, not_found
   */
  update(
    tenantId: string,
    templateId: string,
    input: {
      document: unknown;
      baseVersion?: number | undefined;
      comment?: string | undefined;
      /** New asset contents, saved in the same version (the CLI's --with-assets). */
      assets?: readonly { name: string; data: Buffer }[] | undefined;
    },
    change: ChangeContext,
  ): Promise<SaveResult>;
  setStatus(
    tenantId: string,
    templateId: string,
    status: TemplateStatus,
    change: ChangeContext,
  ): Promise<TemplateView>;
  get(tenantId: string, idOrSlug: string): Promise<TemplateView>;
  list(
    tenantId: string,
    filter: TemplateListFilter,
  ): Promise<{ items: TemplateView[]; nextCursor: string | null }>;
  listVersions(
    tenantId: string,
    templateId: string,
    page: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<{ items: TemplateVersionView[]; nextCursor: string | null }>;
  getVersion(tenantId: string, templateId: string, version: number): Promise<TemplateVersionView>;
  diff(
    tenantId: string,
    templateId: string,
    from: number,
    to: number,
  ): Promise<TemplateDiff & { from: number; to: number }>;
  /** A new version whose document (and assets) equal version `version`. */
  rollback(
    tenantId: string,
    templateId: string,
    input: { version: number; baseVersion?: number | undefined; comment?: string | undefined },
    change: ChangeContext,
  ): Promise<SaveResult>;
  /** Uploads an asset: a new version naming it. @throws AppError validation_failed, unsupported_media_type */
  putAsset(
    tenantId: string,
    templateId: string,
    input: { name: string; data: Buffer; contentType: string; baseVersion?: number | undefined },
    change: ChangeContext,
  ): Promise<SaveResult>;
  /** An asset as of the current (or given) version. @throws AppError not_found */
  getAsset(
    tenantId: string,
    templateId: string,
    name: string,
    version?: number,
  ): Promise<{ name: string; data: Buffer; contentType: string; sha256: string }>;

  /** The catalog a caller may see. */
  catalog(
    caller: Caller,
    filter: CatalogFilter,
  ): Promise<{ items: CatalogEntry[]; nextCursor: string | null }>;
  catalogEntry(caller: Caller, slug: string): Promise<CatalogEntry & { document: TemplateDocument }>;
  /** Whether the caller sees every template (catalog managers, admins, API tokens). */
  seesAll(caller: Caller): boolean;

  listFields(
    tenantId: string,
    filter: { status?: 'active' | 'disabled' | undefined },
  ): Promise<TenantMetadataField[]>;
  getField(tenantId: string, key: string): Promise<TenantMetadataField>;
  createField(
    tenantId: string,
    input: MetadataFieldDefinition & { appliesTo?: string[] | null | undefined },
    change: ChangeContext,
  ): Promise<TenantMetadataField>;
  updateField(
    tenantId: string,
    key: string,
    input: Omit<MetadataFieldDefinition, 'key'> & {
      appliesTo?: string[] | null | undefined;
      status?: 'active' | 'disabled' | undefined;
    },
    change: ChangeContext,
  ): Promise<TenantMetadataField>;
  /** Fields a request for this document collects (tenant fields that apply, then template fields). */
  fieldsFor(tenantId: string, document: TemplateDocument): Promise<MetadataFieldDefinition[]>;

  /** Naming preview of raw rules or a template, for POST /naming/preview. */
  preview(
    tenantId: string,
    input: {
      rules?: NamingRules | undefined;
      template?: { idOrSlug: string; version?: number | undefined } | undefined;
      requestName: string;
      metadata: Record<string, unknown>;
      /** User (object id or UPN) whose directory profile the rules see; null: `fallbackRequester`. */
      requester: string | null;
      fallbackRequester: RequesterProfile;
    },
  ): Promise<NamingPreview & { metadata: Record<string, unknown>; requester: RequesterProfile }>;
  /** Tries an audience or approver rule against a user from the directory. */
  testRule(
    tenantId: string,
    input: {
      kind: 'audience' | 'approver';
      expression: string;
      user: string;
      metadata?: Record<string, unknown> | undefined;
      templateSlug?: string | undefined;
    },
  ): Promise<RuleTestOutcome>;
}
