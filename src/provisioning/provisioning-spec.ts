import type { TenantDirectory } from '../graph/index.ts';
import { AppError, ErrorCode } from '../errors/index.ts';
import type {
  TemplateChannel,
  TemplateDocument,
  TemplatePlan,
  TemplatePrincipal,
} from '../templates/index.ts';

/**
 * What a team must be once provisioned: the template version's content with the request's names and
 * people resolved to directory ids. Frozen by the pre-checks so that a resumed or retried run builds
 * the same team even if the template or the directory changed meanwhile.
 */
export interface ProvisioningSpec {
  entraTenantId: string;
  requestId: string;
  template: { templateId: string; slug: string; version: number };
  /** When the pre-checks ran: relative task dates count from it, and a group found by nickname must be younger. */
  startedAt: string;
  team: {
    displayName: string;
    mailNickname: string;
    description: string;
    visibility: 'Private' | 'Public';
    settings: TemplateDocument['team'];
    /** Template asset name of the team picture. */
    picture: string | null;
  };
  /** Directory object ids; the first owner is the requester when the template adds them. */
  owners: string[];
  members: string[];
  channels: SpecChannel[];
  apps: { teamsAppId: string; displayName: string | null }[];
  plans: SpecPlan[];
  sensitivityLabelId: string | null;
  /** Posted in General by the Trellis bot: the rendered welcome message, else the template's General post. */
  welcomePosts: { channel: string; subject: string | null; content: string; contentType: 'text' | 'html' }[];
}

export interface SpecChannel {
  /** Stable key of the channel within the run: `General` or its display name. */
  key: string;
  general: boolean;
  displayName: string;
  description: string | null;
  membershipType: 'standard' | 'private' | 'shared';
  isFavoriteByDefault: boolean;
  /** Private and shared channels: their roster (ids). */
  owners: string[];
  members: string[];
  tabs: TemplateChannel['tabs'];
  folders: string[];
  files: { path: string; asset: string }[];
}

export interface SpecPlan {
  title: string;
  buckets: string[];
  /** category1 … category25 → name. */
  labels: Record<string, string>;
  tasks: {
    title: string;
    bucket: string | null;
    notes: string | null;
    startDateTime: string | null;
    dueDateTime: string | null;
    priority: number | null;
    checklist: { title: string; isChecked: boolean }[];
    labels: string[];
    assignees: string[];
  }[];
}

export interface SpecRequest {
  requestId: string;
  requesterId: string;
  name: string;
  description: string | null;
  welcomeMessage: string | null;
  names: Record<string, string> | null;
  owners: string[];
  members: string[];
}

export interface SpecTemplate {
  templateId: string;
  slug: string;
  version: number;
  document: TemplateDocument;
}

const DAY_MS = 86_400_000;

function precheckFailed(message: string, details?: Record<string, unknown>): AppError {
  return new AppError(ErrorCode.ValidationFailed, message, details ? { details } : {});
}

/** Lower-cased, deduplicated ids, first occurrence first. */
function unique(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    const key = id.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(key);
    }
  }
  return out;
}

/**
 * Builds the spec: names from the request (rendered at submission), people resolved to ids through the
 * directory (permanent groups expanded to their users), dates made absolute.
 * @throws AppError validation_failed naming what cannot be provisioned (unknown user, empty group, no owner).
 */
export async function buildProvisioningSpec(input: {
  entraTenantId: string;
  request: SpecRequest;
  template: SpecTemplate;
  directory: TenantDirectory;
  now: Date;
}): Promise<ProvisioningSpec> {
  const { request, template, directory, now } = input;
  const doc = template.document;
  const names = request.names;
  if (!names?.displayName || !names.mailNickname) {
    throw precheckFailed('The request has no rendered team name; edit and resubmit it');
  }

  const userId = async (ref: string, where: string): Promise<string> => {
    const user = await directory.getUser(ref);
    if (!user) throw precheckFailed(`${where}: ${ref} is not in the directory`, { user: ref, where });
    return user.id;
  };
  const principals = async (list: readonly TemplatePrincipal[], where: string): Promise<string[]> => {
    const out: string[] = [];
    for (const p of list) {
      if (p.type === 'user') out.push(await userId(p.user, where));
      else {
        const users = await directory.listGroupMembers(p.groupId);
        if (users === null) throw precheckFailed(`${where}: group ${p.groupId} does not exist`);
        out.push(...users.map((u) => u.id));
      }
    }
    return out;
  };

  const requester = request.requesterId.startsWith('token:') ? null : request.requesterId;
  const requestedOwners: string[] = [];
  for (const o of request.owners) requestedOwners.push(await userId(o, 'owners'));
  const owners = unique([
    ...(doc.addRequesterAsOwner && requester ? [await userId(requester, 'requester')] : []),
    ...requestedOwners,
    ...(await principals(doc.permanentOwners, 'permanentOwners')),
  ]);
  if (owners.length === 0) throw precheckFailed('The team would have no owner');
  const permanentMembers = await principals(doc.permanentMembers, 'permanentMembers');
  const requestedMembers: string[] = [];
  for (const m of request.members) requestedMembers.push(await userId(m, 'members'));
  const members = unique([...requestedMembers, ...permanentMembers]).filter((m) => !owners.includes(m));
  const requesterId = requester ? (await userId(requester, 'requester')).toLowerCase() : null;
  const permanentOwnerIds = unique(await principals(doc.permanentOwners, 'permanentOwners'));

  const channel = async (c: TemplateChannel): Promise<SpecChannel> => {
    const declared: string[] = [];
    for (const o of c.owners) declared.push(await userId(o, `channel ${c.displayName}`));
    const channelOwners =
      c.membershipType === 'standard'
        ? []
        : unique([
            ...(c.ownersIncludeRequester && requesterId ? [requesterId] : []),
            ...declared,
            ...permanentOwnerIds,
          ]);
    if (c.membershipType !== 'standard' && channelOwners.length === 0) {
      throw precheckFailed(`Channel ${c.displayName} has no owner`, { channel: c.displayName });
    }
    return {
      key: c.displayName,
      general: false,
      displayName: c.displayName,
      description: c.description ?? null,
      membershipType: c.membershipType,
      isFavoriteByDefault: c.isFavoriteByDefault,
      owners: channelOwners,
      // Permanent members (compliance, support) also join private and shared channels.
      members:
        c.membershipType === 'standard'
          ? []
          : unique(permanentMembers).filter((m) => !channelOwners.includes(m)),
      tabs: c.tabs,
      folders: c.folders,
      files: c.files,
    };
  };
  const general = doc.generalChannel;
  const channels: SpecChannel[] = [
    {
      key: 'General',
      general: true,
      displayName: 'General',
      description: null,
      membershipType: 'standard',
      isFavoriteByDefault: true,
      owners: [],
      members: [],
      tabs: general.tabs,
      folders: general.folders,
      files: general.files,
    },
  ];
  for (const c of doc.channels) channels.push(await channel(c));
  // Graph requires private channel members to be team members: a channel's own people join the team.
  for (const c of channels) {
    for (const id of [...c.owners, ...c.members]) {
      if (!owners.includes(id) && !members.includes(id)) members.push(id);
    }
  }

  const plans: SpecPlan[] = doc.planner.plans.map((p: TemplatePlan) => ({
    title: p.title,
    buckets: p.buckets.map((b) => b.name),
    labels: Object.fromEntries(p.labels.map((l) => [l.category, l.name])),
    tasks: p.tasks.map((t) => ({
      title: t.title,
      bucket: t.bucket ?? null,
      notes: t.notes ?? null,
      startDateTime:
        t.startInDays === undefined ? null : new Date(now.getTime() + t.startInDays * DAY_MS).toISOString(),
      dueDateTime:
        t.dueInDays === undefined ? null : new Date(now.getTime() + t.dueInDays * DAY_MS).toISOString(),
      priority: t.priority ?? null,
      checklist: t.checklist.map((i) => ({ title: i.title, isChecked: i.isChecked })),
      labels: t.labels,
      assignees: unique(
        t.assignTo.flatMap((a) => (a === 'requester' ? (requesterId ? [requesterId] : []) : owners)),
      ),
    })),
  }));

  const welcomePosts: ProvisioningSpec['welcomePosts'] = [];
  const welcome = names.welcomeMessage ?? request.welcomeMessage;
  if (welcome || general.welcomePost) {
    const content = [welcome, general.welcomePost?.content].filter(Boolean).join('\n\n');
    welcomePosts.push({
      channel: 'General',
      subject: general.welcomePost?.subject ?? null,
      content,
      contentType: general.welcomePost?.contentType ?? 'text',
    });
  }
  for (const c of doc.channels) {
    if (c.welcomePost) {
      welcomePosts.push({
        channel: c.displayName,
        subject: c.welcomePost.subject ?? null,
        content: c.welcomePost.content,
        contentType: c.welcomePost.contentType,
      });
    }
  }

  return {
    entraTenantId: input.entraTenantId,
    requestId: request.requestId,
    template: { templateId: template.templateId, slug: template.slug, version: template.version },
    startedAt: now.toISOString(),
    team: {
      displayName: names.displayName,
      mailNickname: names.mailNickname,
      description: names.description ?? request.description ?? names.displayName,
      visibility: doc.team.visibility === 'public' ? 'Public' : 'Private',
      settings: doc.team,
      picture: doc.team.picture ?? null,
    },
    owners,
    members,
    channels,
    apps: doc.apps.map((a) => ({ teamsAppId: a.teamsAppId, displayName: a.displayName ?? null })),
    plans,
    sensitivityLabelId: doc.sensitivityLabelId ?? null,
    welcomePosts,
  };
}
