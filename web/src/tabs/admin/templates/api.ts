// Types and calls of the template authoring API (src/templates/routes, src/provisioning/routes):
// the document mirrors src/templates/template-schema.ts (schemaVersion 1).
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, qs } from '../../../api/client.ts';

export type TemplateStatus = 'active' | 'disabled' | 'archived';
export type MetadataFieldType = 'text' | 'number' | 'date' | 'choice' | 'multi_choice' | 'person' | 'boolean';
export const METADATA_FIELD_TYPES: readonly MetadataFieldType[] = [
  'text',
  'number',
  'date',
  'choice',
  'multi_choice',
  'person',
  'boolean',
];

export interface FieldChoice {
  value: string;
  label: string;
}

export interface FieldValidation {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  min?: number;
  max?: number;
  minDate?: string;
  maxDate?: string;
  minItems?: number;
  maxItems?: number;
}

export interface MetadataFieldDefinition {
  key: string;
  label: string;
  type: MetadataFieldType;
  required: boolean;
  helpText?: string;
  validation?: FieldValidation;
  choices?: FieldChoice[];
}

export interface TemplateTab {
  displayName: string;
  teamsAppId: string;
  configuration?: { entityId?: string; contentUrl?: string; websiteUrl?: string; removeUrl?: string };
  plan?: string;
}

export interface ChannelFile {
  path: string;
  asset: string;
}

export interface WelcomePost {
  subject?: string;
  content: string;
  contentType: 'text' | 'html';
}

export interface ChannelContent {
  tabs: TemplateTab[];
  folders: string[];
  files: ChannelFile[];
  welcomePost?: WelcomePost;
}

export type MembershipType = 'standard' | 'private' | 'shared';

export interface TemplateChannel extends ChannelContent {
  displayName: string;
  description?: string;
  membershipType: MembershipType;
  isFavoriteByDefault: boolean;
  owners: string[];
  ownersIncludeRequester: boolean;
}

/** Optional booleans: absent means Microsoft's default. */
export type SettingsGroup = Record<string, boolean | string | undefined>;

export interface TeamSettings {
  visibility: 'private' | 'public';
  picture?: string;
  memberSettings?: SettingsGroup;
  guestSettings?: SettingsGroup;
  messagingSettings?: SettingsGroup;
  funSettings?: SettingsGroup;
  discoverySettings?: SettingsGroup;
}

export interface PlannerTask {
  title: string;
  bucket: string;
  notes?: string;
  startInDays?: number;
  dueInDays?: number;
  priority?: number;
  checklist: { title: string; isChecked: boolean }[];
  labels: string[];
  assignTo: ('requester' | 'owners')[];
}

export interface PlannerPlan {
  title: string;
  buckets: { name: string }[];
  labels: { category: string; name: string }[];
  tasks: PlannerTask[];
}

export type Principal = { type: 'user'; user: string } | { type: 'group'; groupId: string };

export type Approver =
  | { type: 'user'; user: string }
  | { type: 'group'; groupId: string }
  | { type: 'manager' }
  | { type: 'rule'; expression: string };

export interface ApprovalStage {
  name: string;
  approvers: Approver[];
  allowEdit: boolean;
}

export interface NamingRules {
  displayName: string;
  mailNickname?: string;
  description?: string;
  welcomeMessage?: string;
}

/** A template document, schema version 1, as stored (defaults filled in). */
export interface TemplateDocument {
  schemaVersion: 1;
  slug: string;
  name: string;
  description: string;
  language: string;
  category: string;
  tags: string[];
  icon?: string;
  screenshots: string[];
  team: TeamSettings;
  generalChannel: ChannelContent;
  channels: TemplateChannel[];
  apps: { teamsAppId: string; displayName?: string }[];
  planner: { plans: PlannerPlan[] };
  permanentOwners: Principal[];
  permanentMembers: Principal[];
  minimumOwners: number;
  addRequesterAsOwner: boolean;
  guests: { allowed: boolean; allowedDomains: string[] };
  sensitivityLabelId?: string;
  naming: NamingRules;
  metadataFieldRefs: string[];
  metadataFields: MetadataFieldDefinition[];
  audience: { rule: string };
  approval: { stages: ApprovalStage[]; reminderAfterHours: number; expireAfterDays: number };
}

export interface Asset {
  name: string;
  sha256: string;
  contentType: string;
  size: number;
}

/** GET /templates/{id}. */
export interface Template {
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
  assets: Asset[];
  missingAssets: string[];
}

export interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export interface Diff {
  patch: PatchOperation[];
  summary: string[];
}

export interface SaveResult {
  template: Template;
  changed: boolean;
  diff: Diff | null;
}

export interface TemplateVersion {
  templateId: string;
  version: number;
  documentHash: string;
  createdBy: string;
  createdAt: string;
  comment: string | null;
  assets: Asset[];
  document?: TemplateDocument;
}

/** One problem of a document: a JSON Pointer into it and a message. */
export interface Issue {
  path: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  issues: Issue[];
  document: TemplateDocument | null;
}

export interface PlannedOperation {
  step: string;
  method: string;
  path: string;
  description: string;
  warning?: string;
}

export interface PlanResult {
  templateId: string;
  version: number;
  names: { displayName: string; mailNickname: string };
  operations: PlannedOperation[];
  warnings: string[];
}

export interface CaptureResult {
  templateId: string;
  slug: string;
  version: number;
  warnings: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A tenant metadata field (GET /metadata-fields). */
export interface TenantField extends MetadataFieldDefinition {
  appliesTo: string[] | null;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export const templateKeys = {
  all: ['admin', 'templates'] as const,
  list: (status: string) => ['admin', 'templates', 'list', status] as const,
  one: (id: string) => ['admin', 'templates', 'one', id] as const,
  versions: (id: string) => ['admin', 'templates', 'versions', id] as const,
};

const path = (id: string) => `/templates/${encodeURIComponent(id)}`;

/** Every template (catalog managers see all statuses), up to 200. */
export function useTemplateList(status: TemplateStatus | '') {
  return useQuery({
    queryKey: templateKeys.list(status),
    queryFn: () => api<Page<Template>>('GET', `/templates${qs({ status, limit: 100 })}`),
  });
}

export function useTemplate(id: string) {
  return useQuery({ queryKey: templateKeys.one(id), queryFn: () => api<Template>('GET', path(id)) });
}

export function useVersions(id: string) {
  return useQuery({
    queryKey: templateKeys.versions(id),
    queryFn: () => api<Page<TemplateVersion>>('GET', `${path(id)}/versions${qs({ limit: 100 })}`),
  });
}

export function useTenantFields() {
  return useQuery({
    queryKey: ['admin', 'metadata-fields'],
    queryFn: () => api<{ items: TenantField[] }>('GET', '/metadata-fields'),
  });
}

export const templateApi = {
  create: (document: unknown, comment?: string) =>
    api<Template>('POST', '/templates', { body: { document, ...(comment ? { comment } : {}) } }),
  save: (id: string, document: unknown, baseVersion: number, comment: string) =>
    api<SaveResult>('PUT', path(id), {
      body: { document, baseVersion, ...(comment ? { comment } : {}) },
    }),
  validate: (document: unknown) =>
    api<ValidationResult>('POST', '/templates/validate', { body: { document } }),
  setStatus: (id: string, status: TemplateStatus) =>
    api<Template>('POST', `${path(id)}/status`, { body: { status } }),
  diff: (id: string, from: number, to: number) =>
    api<Diff & { from: number; to: number }>('GET', `${path(id)}/diff${qs({ from, to })}`),
  version: (id: string, version: number) => api<TemplateVersion>('GET', `${path(id)}/versions/${version}`),
  rollback: (id: string, version: number, baseVersion: number) =>
    api<SaveResult>('POST', `${path(id)}/rollback`, { body: { version, baseVersion } }),
  putAsset: (id: string, name: string, file: Blob, baseVersion: number) =>
    api<SaveResult>('PUT', `${path(id)}/assets/${encodeURIComponent(name)}`, {
      raw: file,
      headers: { 'content-type': file.type || 'application/octet-stream', 'if-match': `"${baseVersion}"` },
    }),
  plan: (id: string, body: { version?: number; name?: string; requester?: string }) =>
    api<PlanResult>('POST', `${path(id)}/plan`, { body }),
  capture: (body: { teamId: string; slug: string; name: string; description?: string }) =>
    api<CaptureResult>('POST', '/templates/capture', { body }),
};

/**
 * The issues of a refused call: template checks put them in the problem's `errors.issues`
 * (src/templates/check-template.ts), schema validation in `errors` (the client's field errors).
 */
export function issuesOfError(error: unknown): Issue[] {
  if (!(error instanceof ApiError)) return [];
  const errors = error.details.errors as { issues?: unknown } | undefined;
  const listed = errors && typeof errors === 'object' && Array.isArray(errors.issues) ? errors.issues : [];
  const issues: Issue[] = listed.flatMap((i: unknown) => {
    const item = i as { path?: unknown; message?: unknown };
    return typeof item.path === 'string' && typeof item.message === 'string'
      ? [{ path: item.path, message: item.message }]
      : [];
  });
  // Metadata checks name each field: `errors.fields: { key: message }`.
  const fields = (errors as { fields?: unknown } | undefined)?.fields;
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) {
    for (const [key, message] of Object.entries(fields as Record<string, unknown>)) {
      issues.push({
        path: `/metadata/${key}`,
        message: typeof message === 'string' ? message : String(message),
      });
    }
  }
  return issues.length ? issues : error.fieldErrors.map((e) => ({ path: e.path, message: e.message }));
}
