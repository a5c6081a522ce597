import type { AuditSource } from '../audit/index.ts';
import type { RequestStatus, StageStatus } from '../db/index.ts';
import type { NameConflict, NamingViolation, RenderedNames, RequesterProfile } from '../naming/index.ts';
import type { PolicyUser } from '../policy/index.ts';

/** Who may approve a stage, as a template declares it. */
export type ApproverSpec =
  | { type: 'user'; user: string }
  | { type: 'group'; groupId: string }
  | { type: 'manager' }
  | { type: 'rule'; expression: string };

/** The part of a template document requests read (the template schema defines the rest). */
export interface RequestTemplateDocument {
  approval: {
    stages: readonly { name: string; approvers: readonly ApproverSpec[]; allowEdit: boolean }[];
    reminderAfterHours: number;
    expireAfterDays: number;
  };
  addRequesterAsOwner?: boolean;
  minimumOwners?: number;
  /** Added to every team; they count towards the minimum number of owners. */
  permanentOwners?: readonly unknown[];
}

/** What requests need from the template catalog (src/templates implements it). */
export interface TemplatePort<D extends RequestTemplateDocument = RequestTemplateDocument> {
  getForRequest(
    tenantId: string,
    idOrSlug: string,
    version?: number,
  ): Promise<{ templateId: string; slug: string; name: string; version: number; document: D }>;
  isInAudience(tenantId: string, document: D, user: PolicyUser): boolean;
  previewNames(
    tenantId: string,
    input: {
      document: D;
      templateSlug: string;
      templateName: string;
      requestName: string;
      metadata: Record<string, unknown>;
      requester: RequesterProfile;
      entraTenantId: string | null;
      now?: Date;
    },
  ): Promise<{
    names: RenderedNames | null;
    violations: NamingViolation[];
    conflicts: NameConflict[];
    proposedMailNickname: string | null;
  }>;
  validateMetadata(
    tenantId: string,
    document: D,
    values: Record<string, unknown>,
    entraTenantId: string | null,
  ): Promise<Record<string, unknown>>;
}

/** A person named as an approver once the stage opened. */
export interface ResolvedApprover {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  /** Which declaration named them. */
  via: ApproverSpec['type'];
}

/** The fields a requester fills in (and an approver may edit). */
export interface RequestFields {
  name: string;
  description?: string | null | undefined;
  welcomeMessage?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  owners?: string[] | undefined;
  members?: string[] | undefined;
}

export interface CreateRequestInput extends RequestFields {
  template: string;
  templateVersion?: number | undefined;
  /** API tokens request on behalf of a user (object id or UPN). */
  requester?: string | undefined;
  /** Default true: submit at once; false keeps a draft. */
  submit?: boolean | undefined;
}

export type RequestEdits = Partial<RequestFields>;

export interface StageView {
  stage: number;
  name: string;
  status: StageStatus;
  allowEdit: boolean;
  approvers: ResolvedApprover[];
  openedAt: string | null;
  decidedAt: string | null;
  decidedBy: { type: string; id: string; name: string | null } | null;
  comment: string | null;
  remindersSent: number;
}

export interface RequestView {
  requestId: string;
  status: RequestStatus;
  template: { templateId: string; slug: string; version: number };
  requester: { id: string; name: string | null };
  createdBy: { type: 'user' | 'api_token'; id: string };
  name: string;
  description: string | null;
  welcomeMessage: string | null;
  metadata: Record<string, unknown>;
  owners: string[];
  members: string[];
  names: Record<string, string> | null;
  currentStage: number | null;
  stages: StageView[];
  revision: number;
  submittedAt: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
  closedReason: string | null;
  teamId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ActivityView {
  activityId: string;
  at: string;
  kind: string;
  actor: { type: string; id: string; name: string | null };
  stage: number | null;
  body: string | null;
  diff: { changes: FieldChange[] } | null;
  fromStatus: string | null;
  toStatus: string | null;
}

/** One changed field of an edit: `metadata.costCenter`, `owners` … */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** What validating a request (without saving) reports. */
export interface RequestPreview {
  valid: boolean;
  names: RenderedNames | null;
  violations: NamingViolation[];
  conflicts: NameConflict[];
  proposedMailNickname: string | null;
  metadata: Record<string, unknown> | null;
  metadataErrors: Record<string, string> | null;
  approval: { stage: number; name: string; approvers: ResolvedApprover[]; error: string | null }[];
}

/** Change options every mutating call takes. */
export interface ChangeOptions {
  source?: AuditSource | undefined;
  /** Optimistic concurrency: the revision the caller saw. */
  expectedRevision?: number | undefined;
}
