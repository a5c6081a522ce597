import type { Caller } from '../api/caller.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { DirectoryUser, TenantDirectory } from '../graph/index.ts';
import type { RequesterProfile } from '../naming/index.ts';
import type { PolicyUser } from '../policy/index.ts';
import type {
  RequestPreview,
  RequestTemplateDocument,
  TemplatePort,
  ResolvedApprover,
} from './request-types.ts';
import { resolveApprovers } from './resolve-approvers.ts';

/** The person a request is for: the signed-in user, or the user an API token names. */
export interface Requester {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  policy: PolicyUser;
  profile: RequesterProfile;
}

export interface TemplateRef<D extends RequestTemplateDocument = RequestTemplateDocument> {
  templateId: string;
  slug: string;
  name: string;
  version: number;
  document: D;
}

/** Normalised request fields, ready to store. */
export interface PreparedFields {
  name: string;
  description: string | null;
  welcomeMessage: string | null;
  metadata: Record<string, unknown>;
  owners: string[];
  members: string[];
  names: Record<string, string>;
}

export interface PrepareContext {
  tenantId: string;
  entraTenantId: string | null;
  directory: TenantDirectory | null;
  templates: TemplatePort;
  now: Date;
}

const MAX_PEOPLE = 100;

function profileOf(user: DirectoryUser): RequesterProfile {
  const profile: RequesterProfile = { displayName: user.displayName };
  for (const key of [
    'mail',
    'department',
    'country',
    'jobTitle',
    'officeLocation',
    'usageLocation',
    'companyName',
  ] as const) {
    const value = user[key];
    if (value) profile[key] = value;
  }
  return profile;
}

/**
 * Works out who the request is for. Users request for themselves; API tokens must name the user
 * (object id or UPN) when the tenant has a directory, so naming and approver rules see a real person.
 * @throws AppError validation_failed when a token names nobody or someone unknown.
 */
export async function resolveRequester(
  caller: Caller,
  onBehalfOf: string | undefined,
  directory: TenantDirectory | null,
): Promise<Requester> {
  if (caller.kind === 'user') {
    if (onBehalfOf !== undefined && onBehalfOf.toLowerCase() !== caller.id.toLowerCase()) {
      throw errors.forbidden('Users request teams for themselves; only integrations may name a requester');
    }
    const policy = directory ? await directory.getPolicyUser(caller.id, caller.roles) : null;
    const user = directory ? await directory.getUser(caller.id) : null;
    return {
      id: caller.id,
      userPrincipalName: caller.userPrincipalName ?? user?.userPrincipalName ?? null,
      displayName: caller.displayName ?? user?.displayName ?? null,
      policy: policy ?? { id: caller.id, displayName: caller.displayName, roles: caller.roles },
      profile: user ? profileOf(user) : { displayName: caller.displayName ?? caller.id },
    };
  }
  if (directory) {
    if (!onBehalfOf) {
      throw errors.validation('An API token must name the requester (user id or UPN) in `requester`', {
        fields: { requester: 'required' },
      });
    }
    const user = await directory.getUser(onBehalfOf);
    if (!user) {
      throw errors.validation(`Requester ${onBehalfOf} is not in the directory`, {
        fields: { requester: 'unknown user' },
      });
    }
    const policy = (await directory.getPolicyUser(user.id)) ?? { id: user.id };
    return {
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      policy,
      profile: profileOf(user),
    };
  }
  // A tenant without an Entra directory (API-only): the requester is a name the integration gives.
  const id = onBehalfOf ?? `token:${caller.id}`;
  return {
    id,
    userPrincipalName: onBehalfOf?.includes('@') ? onBehalfOf : null,
    displayName: onBehalfOf ?? null,
    policy: { id },
    profile: { displayName: onBehalfOf ?? 'Integration' },
  };
}

/** Resolves owners or members to directory object ids (deduplicated), refusing unknown people. */
async function resolvePeople(
  field: 'owners' | 'members',
  people: readonly string[],
  directory: TenantDirectory | null,
): Promise<string[]> {
  if (people.length > MAX_PEOPLE) {
    throw errors.validation(`At most ${MAX_PEOPLE} ${field} per request`, {
      fields: { [field]: 'too many' },
    });
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const person of people) {
    let id = person.trim();
    if (directory) {
      const user = await directory.getUser(id);
      if (!user)
        throw errors.validation(`${person} is not in the directory`, { fields: { [field]: person } });
      if (user.accountEnabled === false) {
        throw errors.validation(`${person}'s account is disabled`, { fields: { [field]: person } });
      }
      id = user.id;
    }
    if (seen.has(id.toLowerCase())) continue;
    seen.add(id.toLowerCase());
    out.push(id);
  }
  return out;
}

/**
 * Validates the fields against the template (metadata, names and Microsoft's limits, a free mail
 * nickname, owners and members) and returns them normalised.
 * @throws AppError validation_failed (details.fields / details.violations) or conflict (details.conflicts).
 */
export async function prepareFields(
  context: PrepareContext,
  template: TemplateRef,
  requester: Requester,
  fields: {
    name: string;
    description: string | null;
    welcomeMessage: string | null;
    metadata: Record<string, unknown>;
    owners: readonly string[];
    members: readonly string[];
  },
): Promise<PreparedFields> {
  const metadata = await context.templates.validateMetadata(
    context.tenantId,
    template.document,
    fields.metadata,
    context.entraTenantId,
  );
  const preview = await context.templates.previewNames(context.tenantId, {
    document: template.document,
    templateSlug: template.slug,
    templateName: template.name,
    requestName: fields.name,
    metadata,
    requester: requester.profile,
    entraTenantId: context.entraTenantId,
    now: context.now,
  });
  if (preview.violations.length > 0 || !preview.names) {
    throw errors.validation('The names this request would produce break the naming rules or limits', {
      violations: preview.violations,
    });
  }
  const nicknameTaken = preview.conflicts.filter((c) => c.field === 'mailNickname');
  if (nicknameTaken.length > 0) {
    throw new AppError(
      ErrorCode.Conflict,
      `The mail nickname ${preview.names.mailNickname} is already used by another group`,
      { details: { conflicts: nicknameTaken, proposedMailNickname: preview.proposedMailNickname } },
    );
  }
  let owners = await resolvePeople('owners', fields.owners, context.directory);
  const members = await resolvePeople('members', fields.members, context.directory);
  if (template.document.addRequesterAsOwner !== false && !requester.id.startsWith('token:')) {
    if (!owners.some((o) => o.toLowerCase() === requester.id.toLowerCase()))
      owners = [requester.id, ...owners];
  }
  const minimumOwners = template.document.minimumOwners ?? 1;
  const permanentOwners = template.document.permanentOwners?.length ?? 0;
  if (owners.length + permanentOwners < minimumOwners) {
    throw errors.validation(
      `This template needs at least ${minimumOwners} owners (including ${permanentOwners} permanent owners)`,
      { fields: { owners: `at least ${minimumOwners - permanentOwners}` } },
    );
  }
  const names: Record<string, string> = {};
  for (const [key, value] of Object.entries(preview.names)) if (typeof value === 'string') names[key] = value;
  return {
    name: fields.name,
    description: fields.description,
    welcomeMessage: fields.welcomeMessage,
    metadata,
    owners,
    members: members.filter((m) => !owners.some((o) => o.toLowerCase() === m.toLowerCase())),
    names,
  };
}

/** Resolves the approvers of one stage of the template for this request. */
export function resolveStage(
  context: PrepareContext,
  template: TemplateRef,
  requester: Requester,
  stage: number,
  metadata: Record<string, unknown>,
): Promise<ResolvedApprover[]> {
  const spec = template.document.approval.stages[stage];
  if (!spec) throw errors.internal(`Template ${template.slug} has no approval stage ${stage}`);
  return resolveApprovers(spec.approvers, {
    directory: context.directory,
    requester: requester.policy,
    templateSlug: template.slug,
    metadata,
  });
}

/** Everything a requester wants to know before submitting, without saving or throwing on bad input. */
export async function previewRequest(
  context: PrepareContext,
  template: TemplateRef,
  requester: Requester,
  fields: { name: string; metadata: Record<string, unknown> },
): Promise<RequestPreview> {
  let metadata: Record<string, unknown> | null = null;
  let metadataErrors: Record<string, string> | null = null;
  try {
    metadata = await context.templates.validateMetadata(
      context.tenantId,
      template.document,
      fields.metadata,
      context.entraTenantId,
    );
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== ErrorCode.ValidationFailed) throw error;
    const reported = (error.details?.['fields'] as Record<string, string> | undefined) ?? {
      _: error.message,
    };
    metadataErrors = reported;
  }
  const names = await context.templates.previewNames(context.tenantId, {
    document: template.document,
    templateSlug: template.slug,
    templateName: template.name,
    requestName: fields.name,
    metadata: metadata ?? fields.metadata,
    requester: requester.profile,
    entraTenantId: context.entraTenantId,
    now: context.now,
  });
  const approval: RequestPreview['approval'] = [];
  for (const [index, stage] of template.document.approval.stages.entries()) {
    try {
      const approvers = await resolveStage(context, template, requester, index, metadata ?? fields.metadata);
      approval.push({ stage: index, name: stage.name, approvers, error: null });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== ErrorCode.ValidationFailed) throw error;
      approval.push({ stage: index, name: stage.name, approvers: [], error: error.message });
    }
  }
  const valid =
    metadataErrors === null &&
    names.violations.length === 0 &&
    !names.conflicts.some((c) => c.field === 'mailNickname') &&
    approval.every((s) => s.error === null);
  return {
    valid,
    names: names.names,
    violations: names.violations,
    conflicts: names.conflicts,
    proposedMailNickname: names.proposedMailNickname,
    metadata,
    metadataErrors,
    approval,
  };
}
