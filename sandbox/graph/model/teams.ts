import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { DirectoryGroup, DirectoryUser, TenantState } from '../../state/types.ts';
import { GraphError, graphErrors } from '../http/errors.ts';
import { guid, type Ids, membershipId, opaqueId, threadId } from '../http/ids.ts';
import type {
  ChannelRecord,
  ConversationMemberRecord,
  GraphState,
  InstalledAppRecord,
  TabRecord,
  TeamRecord,
  TeamSettings,
} from '../state.ts';
import { requireCatalogApp, teamsAppDefinitionShape, teamsAppShape } from './catalog.ts';
import { findGroup, findUser } from './directory.ts';
import { createChannelDrive, createFolder, ensureGroupDrive, requireItem } from './drive.ts';

/** Graph's defaults for a new team's settings. */
export function defaultSettings(visibility: string | null): TeamSettings {
  return {
    memberSettings: {
      allowCreateUpdateChannels: true,
      allowCreatePrivateChannels: true,
      allowDeleteChannels: true,
      allowAddRemoveApps: true,
      allowCreateUpdateRemoveTabs: true,
      allowCreateUpdateRemoveConnectors: true,
    },
    guestSettings: { allowCreateUpdateChannels: false, allowDeleteChannels: false },
    messagingSettings: {
      allowUserEditMessages: true,
      allowUserDeleteMessages: true,
      allowOwnerDeleteMessages: true,
      allowTeamMentions: true,
      allowChannelMentions: true,
    },
    funSettings: {
      allowGiphy: true,
      giphyContentRating: 'moderate',
      allowStickersAndMemes: true,
      allowCustomMemes: true,
    },
    discoverySettings: { showInTeamsSearchAndSuggestions: (visibility ?? '').toLowerCase() === 'public' },
  };
}

const SETTING_KEYS = [
  'memberSettings',
  'guestSettings',
  'messagingSettings',
  'funSettings',
  'discoverySettings',
] as const;

/**
 * Merges settings objects from a request into the team's (unknown or mistyped fields are 400s, as in Graph).
 * @throws GraphError(400)
 */
export function applySettings(target: TeamSettings, body: Record<string, unknown>): void {
  for (const key of SETTING_KEYS) {
    const given = body[key];
    if (given === undefined || given === null) continue;
    if (typeof given !== 'object' || Array.isArray(given))
      throw graphErrors.badRequest(`Invalid value for '${key}'.`);
    const current = target[key] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(given)) {
      if (field.startsWith('@odata.')) continue;
      if (!(field in current)) {
        throw graphErrors.badRequest(
          `The property '${field}' does not exist on type 'microsoft.graph.team${key.replace('Settings', '')}Settings'.`,
        );
      }
      const expected = typeof current[field];
      if (typeof value !== expected) throw graphErrors.badRequest(`Invalid value for '${key}.${field}'.`);
      if (field === 'giphyContentRating' && value !== 'moderate' && value !== 'strict') {
        throw graphErrors.badRequest(
          `Invalid value '${String(value)}' for 'funSettings.giphyContentRating'.`,
        );
      }
      current[field] = value;
    }
  }
}

/** Applies an archive/unarchive whose operation has finished by `now`. */
export function settleTeam(team: TeamRecord, now: Date): void {
  if (team.pendingArchive && Date.parse(team.pendingArchive.effectiveAt) <= now.getTime()) {
    team.isArchived = team.pendingArchive.isArchived;
    team.siteReadOnlyForMembers = team.pendingArchive.siteReadOnlyForMembers;
    team.pendingArchive = null;
  }
}

/** Whether the team's createTeam operation has finished. */
export function isTeamReady(team: TeamRecord, now: Date): boolean {
  return Date.parse(team.readyAt) <= now.getTime();
}

/** The team of a group id if it exists and is ready, settled to `now`. */
export function findReadyTeam(graph: GraphState, teamId: string, now: Date): TeamRecord | undefined {
  const key = teamId.toLowerCase();
  const team = graph.teams.find((t) => t.id.toLowerCase() === key);
  if (!team || !isTeamReady(team, now)) return undefined;
  settleTeam(team, now);
  return team;
}

/**
 * The ready team with that id, and its group, in the caller's tenant.
 * @throws GraphError(404 NotFound) for a missing, foreign or still-provisioning team.
 */
export function requireTeam(
  tenant: TenantState,
  graph: GraphState,
  teamId: string,
  now: Date,
): { team: TeamRecord; group: DirectoryGroup } {
  const team = findReadyTeam(graph, teamId, now);
  const group = team ? findGroup(tenant, team.id) : undefined;
  if (!team || !group) throw graphErrors.notFound(`No team found with Group Id ${teamId}`);
  return { team, group };
}

/** @throws GraphError(403) when the team is archived (read-only except membership). */
export function requireActive(team: TeamRecord): void {
  if (team.isArchived)
    throw graphErrors.forbidden('The team is archived: it is read-only until it is unarchived.');
}

/** Graph's lower-case team visibility from the group's. */
export function teamVisibility(group: DirectoryGroup): MicrosoftGraph.TeamVisibilityType {
  const v = (group.visibility ?? 'Private').toLowerCase();
  return v === 'public' ? 'public' : v === 'hiddenmembership' ? 'hiddenMembership' : 'private';
}

/** A team as Graph returns it (settings objects included). */
export function teamShape(
  tenant: TenantState,
  team: TeamRecord,
  group: DirectoryGroup,
): MicrosoftGraph.Team & Record<string, unknown> {
  return {
    id: team.id,
    createdDateTime: team.createdDateTime,
    displayName: group.displayName,
    description: group.description,
    internalId: team.internalId,
    classification: team.classification,
    specialization: team.specialization,
    visibility: teamVisibility(group),
    webUrl: `https://teams.microsoft.com/l/team/${encodeURIComponent(team.internalId)}/conversations?groupId=${team.id}&tenantId=${tenant.id}`,
    isArchived: team.isArchived,
    tenantId: tenant.id,
    memberSettings: { ...team.memberSettings },
    guestSettings: { ...team.guestSettings },
    messagingSettings: { ...team.messagingSettings },
    funSettings: { ...team.funSettings },
    discoverySettings: { ...team.discoverySettings },
  } satisfies MicrosoftGraph.Team & { discoverySettings: unknown };
}

// ---- channels ----------------------------------------------------------------------------------

const FORBIDDEN_CHANNEL_CHARS = /[~#%&*{}+/\\:<>?|'"]/;
/** C0 and C1 control characters, which Teams rejects in names. */
const isControl = (code: number) => code <= 0x1f || (code >= 0x80 && code <= 0x9f);
const RESERVED_CHANNEL_WORDS = /^(forms|con|conin\$|conout\$|prn|aux|nul|com[1-9]|lpt[1-9]|desktop\.ini)$/i;

/**
 * Teams' channel name rules: at most 50 characters, none of `~ # % & * { } + / \ : < > ? | ' "`,
 * no `..`, no control characters, no reserved words, no leading `_` or `.`, no trailing `.`.
 * @throws GraphError(400)
 */
export function validateChannelName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw graphErrors.badRequest('Channel displayName is required.');
  }
  if (name.length > 50) throw graphErrors.badRequest('Channel name cannot be longer than 50 characters.');
  if (
    FORBIDDEN_CHANNEL_CHARS.test(name) ||
    name.includes('..') ||
    [...name].some((ch) => isControl(ch.charCodeAt(0)))
  ) {
    throw graphErrors.badRequest(`Channel name '${name}' contains characters that are not allowed.`);
  }
  if (RESERVED_CHANNEL_WORDS.test(name) || name.includes('_vti_')) {
    throw graphErrors.badRequest(`Channel name '${name}' is a reserved word.`);
  }
  if (name.startsWith('_') || name.startsWith('.') || name.endsWith('.')) {
    throw graphErrors.badRequest("Channel name cannot start with '_' or '.', or end with '.'.");
  }
  return name;
}

/** Channels of the team in creation order (General first). */
export function channelsOf(graph: GraphState, teamId: string): ChannelRecord[] {
  return graph.channels.filter((c) => c.teamId === teamId);
}

/** @throws GraphError(404 NotFound) */
export function requireChannel(graph: GraphState, teamId: string, channelId: string): ChannelRecord {
  const channel = graph.channels.find(
    (c) => c.teamId === teamId && c.id.toLowerCase() === channelId.toLowerCase(),
  );
  if (!channel) throw graphErrors.notFound(`Channel ${channelId} was not found in the team.`);
  return channel;
}

export interface NewChannel {
  displayName: string;
  description: string | null;
  membershipType: ChannelRecord['membershipType'];
  isFavoriteByDefault: boolean;
  members: { userId: string; roles: string[] }[];
}

/**
 * Adds a channel with its files folder: a folder of the team's drive for standard channels, a site
 * of its own for private and shared ones. Names are unique in a team, whatever their case.
 * @throws GraphError(409 NameAlreadyExists)
 */
export function addChannel(
  tenant: TenantState,
  graph: GraphState,
  team: { id: string },
  group: DirectoryGroup,
  input: NewChannel,
  ids: Ids,
  now: Date,
  id = threadId(ids),
): ChannelRecord {
  const name = input.displayName.toLowerCase();
  if (channelsOf(graph, team.id).some((c) => c.displayName.toLowerCase() === name)) {
    throw graphErrors.conflict(
      'NameAlreadyExists',
      `Channel name '${input.displayName}' already existed, please use another name.`,
    );
  }
  const stamp = now.toISOString();
  const by = { kind: 'application' as const, id: 'Microsoft Teams' };
  let driveId: string;
  let folderId: string;
  if (input.membershipType === 'standard') {
    const drive = ensureGroupDrive(tenant, graph, group, ids, now);
    const root = requireItem(graph, drive, 'root');
    const existing = graph.driveItems.find(
      (i) => i.parentId === root.id && i.kind === 'folder' && i.name.toLowerCase() === name,
    );
    driveId = drive.id;
    folderId = (existing ?? createFolder(graph, root, input.displayName, 'fail', by, ids, now)).id;
  } else {
    const drive = createChannelDrive(tenant, graph, group, { id, displayName: input.displayName }, ids, now);
    const root = requireItem(graph, drive, 'root');
    driveId = drive.id;
    folderId = createFolder(graph, root, input.displayName, 'fail', by, ids, now).id;
  }
  const channel: ChannelRecord = {
    id,
    teamId: team.id,
    displayName: input.displayName,
    description: input.description,
    membershipType: input.membershipType,
    isFavoriteByDefault: input.isFavoriteByDefault,
    createdDateTime: stamp,
    members:
      input.membershipType === 'standard' ? [] : input.members.map((m) => ({ ...m, createdDateTime: stamp })),
    driveId,
    folderId,
  };
  graph.channels.push(channel);
  return channel;
}

/** A channel as Graph returns it. */
export function channelShape(
  tenant: TenantState,
  channel: ChannelRecord,
): MicrosoftGraph.Channel & Record<string, unknown> {
  return {
    id: channel.id,
    createdDateTime: channel.createdDateTime,
    displayName: channel.displayName,
    description: channel.description,
    isFavoriteByDefault: channel.isFavoriteByDefault,
    email: '',
    tenantId: tenant.id,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(channel.id)}/${encodeURIComponent(channel.displayName)}?groupId=${channel.teamId}&tenantId=${tenant.id}`,
    membershipType: channel.membershipType,
    isArchived: false,
  } satisfies MicrosoftGraph.Channel;
}

// ---- members -----------------------------------------------------------------------------------

/** Team members (the group's owners and members) with their Teams roles. */
export function teamMembers(
  tenant: TenantState,
  group: DirectoryGroup,
): { user: DirectoryUser; roles: string[] }[] {
  const ids = [...new Set([...group.ownerIds, ...group.memberIds])];
  return ids
    .map((id) => findUser(tenant, id))
    .filter((u): u is DirectoryUser => u !== undefined)
    .map((user) => ({
      user,
      roles: user.userType === 'Guest' ? ['guest'] : group.ownerIds.includes(user.id) ? ['owner'] : [],
    }));
}

/** An aadUserConversationMember (team or channel membership). */
export function memberShape(
  tenant: TenantState,
  containerId: string,
  user: DirectoryUser,
  roles: string[],
): MicrosoftGraph.AadUserConversationMember & Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: membershipId(containerId, user.id),
    roles: [...roles],
    displayName: user.displayName,
    visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
    userId: user.id,
    email: user.mail,
    tenantId: tenant.id,
  } satisfies MicrosoftGraph.AadUserConversationMember & { '@odata.type': string };
}

/**
 * Normalizes requested roles for a user: guests are always `guest` and never owners.
 * @throws GraphError(400) on unknown roles or a guest owner.
 */
export function rolesFor(user: DirectoryUser, requested: unknown): string[] {
  if (requested !== undefined && !Array.isArray(requested))
    throw graphErrors.badRequest("'roles' must be a collection.");
  const roles = ((requested as unknown[] | undefined) ?? []).map((r) => String(r).toLowerCase());
  for (const role of roles) {
    if (role !== 'owner' && role !== 'guest' && role !== 'member')
      throw graphErrors.badRequest(`Invalid role '${role}'.`);
  }
  if (user.userType === 'Guest') {
    if (roles.includes('owner')) throw graphErrors.badRequest('A guest user cannot be added as an owner.');
    return ['guest'];
  }
  return roles.includes('owner') ? ['owner'] : [];
}

/**
 * Adds or updates a team member, keeping the group's owners and members in step.
 * @throws GraphError(400) when that would leave the team without an owner.
 */
export function setTeamMember(group: DirectoryGroup, user: DirectoryUser, roles: string[]): void {
  if (!group.memberIds.includes(user.id)) group.memberIds.push(user.id);
  const isOwner = group.ownerIds.includes(user.id);
  if (roles.includes('owner') && !isOwner) group.ownerIds.push(user.id);
  if (!roles.includes('owner') && isOwner) {
    if (group.ownerIds.length === 1)
      throw graphErrors.badRequest('The last owner of a team cannot be demoted.');
    group.ownerIds = group.ownerIds.filter((id) => id !== user.id);
  }
}

/**
 * Removes a team member from the group and from the team's private channels.
 * @throws GraphError(400) for the last owner.
 */
export function removeTeamMember(graph: GraphState, group: DirectoryGroup, userId: string): void {
  if (group.ownerIds.includes(userId) && group.ownerIds.length === 1) {
    throw graphErrors.badRequest('The last owner of a team cannot be removed.');
  }
  group.ownerIds = group.ownerIds.filter((id) => id !== userId);
  group.memberIds = group.memberIds.filter((id) => id !== userId);
  for (const channel of channelsOf(graph, group.id)) {
    if (channel.membershipType === 'private')
      channel.members = channel.members.filter((m) => m.userId !== userId);
  }
}

/** A channel's roster: its own for private and shared channels, the team's for standard ones. */
export function channelMembers(
  tenant: TenantState,
  group: DirectoryGroup,
  channel: ChannelRecord,
): { user: DirectoryUser; roles: string[] }[] {
  if (channel.membershipType === 'standard') return teamMembers(tenant, group);
  return channel.members
    .map((m: ConversationMemberRecord) => ({ user: findUser(tenant, m.userId), roles: m.roles }))
    .filter((m): m is { user: DirectoryUser; roles: string[] } => m.user !== undefined);
}

// ---- apps and tabs -----------------------------------------------------------------------------

/** @throws GraphError(409) when the app is installed already. */
export function installApp(
  tenant: TenantState,
  graph: GraphState,
  teamId: string,
  appId: string,
  ids: Ids,
  now: Date,
): InstalledAppRecord {
  const app = requireCatalogApp(tenant, appId);
  if (graph.installedApps.some((i) => i.teamId === teamId && i.teamsAppId === app.id)) {
    throw graphErrors.conflict('Conflict', `App ${app.id} is already installed in this team.`);
  }
  const record: InstalledAppRecord = {
    id: opaqueId(ids),
    teamId,
    teamsAppId: app.id,
    installedDateTime: now.toISOString(),
  };
  graph.installedApps.push(record);
  return record;
}

/** A teamsAppInstallation; `teamsApp` and `teamsAppDefinition` are there for `$expand` to keep. */
export function installationShape(
  tenant: TenantState,
  installation: InstalledAppRecord,
): Record<string, unknown> {
  const app = requireCatalogApp(tenant, installation.teamsAppId);
  return {
    id: installation.id,
    teamsApp: teamsAppShape(app),
    teamsAppDefinition: teamsAppDefinitionShape(app),
  } satisfies MicrosoftGraph.TeamsAppInstallation;
}

export interface NewTab {
  displayName: string;
  teamsAppId: string;
  configuration: TabRecord['configuration'];
}

/**
 * Adds a tab; its app must be installed in the team first, as Teams requires.
 * @throws GraphError(400) when it is not.
 */
export function addTab(
  tenant: TenantState,
  graph: GraphState,
  channel: ChannelRecord,
  input: NewTab,
  ids: Ids,
  now: Date,
): TabRecord {
  const app = requireCatalogApp(tenant, input.teamsAppId);
  if (!graph.installedApps.some((i) => i.teamId === channel.teamId && i.teamsAppId === app.id)) {
    throw graphErrors.badRequest(
      `The app '${app.id}' is not installed in the team. Install it (POST /teams/{id}/installedApps) before adding its tab.`,
    );
  }
  const tab: TabRecord = {
    id: guid(ids),
    teamId: channel.teamId,
    channelId: channel.id,
    displayName: input.displayName,
    teamsAppId: app.id,
    configuration: { ...input.configuration },
    createdDateTime: now.toISOString(),
  };
  graph.tabs.push(tab);
  return tab;
}

/** Reads `configuration` from a request body. @throws GraphError(400) */
export function readTabConfiguration(value: unknown): TabRecord['configuration'] {
  if (value === undefined || value === null)
    return { entityId: null, contentUrl: null, websiteUrl: null, removeUrl: null };
  if (typeof value !== 'object' || Array.isArray(value))
    throw graphErrors.badRequest("'configuration' must be an object.");
  const c = value as Record<string, unknown>;
  const text = (key: string) => {
    const v = c[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw graphErrors.badRequest(`'configuration.${key}' must be a string.`);
    return v;
  };
  return {
    entityId: text('entityId'),
    contentUrl: text('contentUrl'),
    websiteUrl: text('websiteUrl'),
    removeUrl: text('removeUrl'),
  };
}

/** A teamsTab; `teamsApp` is there for `$expand` to keep. */
export function tabShape(tenant: TenantState, tab: TabRecord): Record<string, unknown> {
  const app = requireCatalogApp(tenant, tab.teamsAppId);
  const context = encodeURIComponent(JSON.stringify({ channelId: tab.channelId }));
  return {
    id: tab.id,
    displayName: tab.displayName,
    webUrl: `https://teams.microsoft.com/l/entity/${encodeURIComponent(app.id)}/tab::${tab.id}?label=${encodeURIComponent(tab.displayName)}&context=${context}&tenantId=${tenant.id}`,
    configuration: { ...tab.configuration },
    teamsApp: teamsAppShape(app),
  } satisfies MicrosoftGraph.TeamsTab;
}

// ---- teams -------------------------------------------------------------------------------------

/**
 * Creates the team of a group: General channel (with its files folder), settings, installed apps.
 * The team answers 404 until `readyAt`. The group's members and owners become the team's.
 * @throws GraphError(409) when the group has a team already.
 */
export function createTeamRecord(
  tenant: TenantState,
  graph: GraphState,
  group: DirectoryGroup,
  options: {
    settings?: Record<string, unknown>;
    classification?: string | null;
    firstChannelName?: string;
    readyAt: Date;
    ids: Ids;
    now: Date;
  },
): TeamRecord {
  if (graph.teams.some((t) => t.id === group.id)) {
    throw new GraphError(409, 'Conflict', `Group ${group.id} already has a team.`);
  }
  const { ids, now } = options;
  const general = threadId(ids);
  const team: TeamRecord = {
    id: group.id,
    createdDateTime: now.toISOString(),
    readyAt: options.readyAt.toISOString(),
    internalId: general,
    classification: options.classification ?? null,
    specialization: 'none',
    isArchived: false,
    pendingArchive: null,
    siteReadOnlyForMembers: false,
    ...defaultSettings(group.visibility),
  };
  if (options.settings) applySettings(team, options.settings);
  graph.teams.push(team);
  if (!group.resourceProvisioningOptions.includes('Team')) group.resourceProvisioningOptions.push('Team');
  addChannel(
    tenant,
    graph,
    team,
    group,
    {
      displayName: options.firstChannelName ?? 'General',
      description: 'General channel of the team.',
      membershipType: 'standard',
      isFavoriteByDefault: true,
      members: [],
    },
    ids,
    now,
    general,
  );
  return team;
}

/** Removes a team and everything that hangs off it (channels, tabs, apps, operations). */
export function deleteTeamData(graph: GraphState, teamId: string): void {
  graph.teams = graph.teams.filter((t) => t.id !== teamId);
  graph.channels = graph.channels.filter((c) => c.teamId !== teamId);
  graph.tabs = graph.tabs.filter((t) => t.teamId !== teamId);
  graph.installedApps = graph.installedApps.filter((i) => i.teamId !== teamId);
  graph.operations = graph.operations.filter((o) => o.teamId !== teamId);
  graph.activity = graph.activity.filter((a) => a.teamId !== teamId);
}
