import type { DirectoryGroup } from '../../../state/types.ts';
import { boundKey } from '../../http/binds.ts';
import { jsonBody, optionalString, requireReplicated } from '../../http/body.ts';
import { GraphError, graphErrors } from '../../http/errors.ts';
import { guid, randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphCall, GraphRoute } from '../../http/route.ts';
import { requireCatalogApp } from '../../model/catalog.ts';
import { requireGroup, requireUser } from '../../model/directory.ts';
import { ensureGroupDrive } from '../../model/drive.ts';
import { operationLocation, startOperation } from '../../model/operations.ts';
import {
  addChannel,
  addTab,
  createTeamRecord,
  installApp,
  type NewTab,
  readTabConfiguration,
  rolesFor,
  setTeamMember,
  validateChannelName,
} from '../../model/teams.ts';

interface TemplateChannel {
  displayName: string;
  description: string | null;
  isFavoriteByDefault: boolean;
  tabs: NewTab[];
}

interface TeamPlan {
  channels: TemplateChannel[];
  appIds: string[];
  members: { userId: string; roles: string[] }[];
  settings: Record<string, unknown>;
  firstChannelName: string | undefined;
}

function array(body: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const value = body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => v === null || typeof v !== 'object')) {
    throw graphErrors.badRequest(`'${key}' must be a collection of objects.`);
  }
  return value as Record<string, unknown>[];
}

function appOf(call: GraphCall, value: unknown, where: string): string {
  const id = boundKey(value, ['teamsApps']);
  if (!id)
    throw graphErrors.badRequest(
      `${where}: 'teamsApp@odata.bind' must reference appCatalogs/teamsApps/{id}.`,
    );
  return requireCatalogApp(call.tenant, id).id;
}

/** Reads and checks the whole request before anything is created, so a 400 leaves nothing behind. */
function planTeam(call: GraphCall, body: Record<string, unknown>): TeamPlan {
  const names = new Set<string>();
  const firstChannelName = optionalString(body, 'firstChannelName') ?? undefined;
  if (firstChannelName) names.add(validateChannelName(firstChannelName).toLowerCase());
  else names.add('general');
  const channels = array(body, 'channels').map((c, i): TemplateChannel => {
    const displayName = validateChannelName(c.displayName);
    if (c.membershipType !== undefined && c.membershipType !== 'standard') {
      throw graphErrors.badRequest(
        `channels[${i}]: a team template creates standard channels only; add private and shared channels afterwards.`,
      );
    }
    if (names.has(displayName.toLowerCase())) {
      throw graphErrors.badRequest(`channels[${i}]: the channel name '${displayName}' is used twice.`);
    }
    names.add(displayName.toLowerCase());
    const tabs = array(c, 'tabs').map((t, j) => ({
      displayName: typeof t.displayName === 'string' ? t.displayName : '',
      teamsAppId: appOf(call, t['teamsApp@odata.bind'], `channels[${i}].tabs[${j}]`),
      configuration: readTabConfiguration(t.configuration),
    }));
    return {
      displayName,
      description: optionalString(c, 'description'),
      isFavoriteByDefault: c.isFavoriteByDefault === true,
      tabs,
    };
  });
  const appIds = array(body, 'installedApps').map((a, i) =>
    appOf(call, a['teamsApp@odata.bind'], `installedApps[${i}]`),
  );
  const members = array(body, 'members').map((m, i) => {
    const key = boundKey(m['user@odata.bind'], ['users']);
    if (!key) throw graphErrors.badRequest(`members[${i}]: 'user@odata.bind' must reference users('{id}').`);
    const user = requireUser(call.tenant, key);
    return { userId: user.id, roles: rolesFor(user, m.roles) };
  });
  const settings: Record<string, unknown> = {};
  for (const key of [
    'memberSettings',
    'guestSettings',
    'messagingSettings',
    'funSettings',
    'discoverySettings',
  ]) {
    if (body[key] !== undefined) settings[key] = body[key];
  }
  return { channels, appIds, members, settings, firstChannelName };
}

function mailNicknameFor(call: GraphCall, displayName: string): string {
  const base = displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 50) || 'team';
  const taken = (nick: string) =>
    call.tenant.directory.groups.some((g) => g.mailNickname.toLowerCase() === nick.toLowerCase());
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}${n}`)) return `${base}${n}`;
}

/**
 * `POST /teams` from the `standard` template (or with `group@odata.bind` for an existing group):
 * 202 with `Location: /teams('{id}')/operations('{opId}')`; the team reads 404 until the operation succeeded.
 */
export const createTeam: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams',
  permissions: PERMISSIONS.teamCreate,
  handler: (call) => {
    const body = jsonBody(call);
    const template = boundKey(body['template@odata.bind'], ['teamsTemplates']);
    if (!template) {
      throw graphErrors.badRequest(
        "'template@odata.bind' is required: https://graph.microsoft.com/v1.0/teamsTemplates('standard').",
      );
    }
    if (template.toLowerCase() !== 'standard') {
      throw graphErrors.badRequest(`The template '${template}' is not available in this tenant.`);
    }
    const groupRef = body['group@odata.bind'];
    let group: DirectoryGroup;
    let plan: TeamPlan;
    if (groupRef !== undefined) {
      for (const key of ['displayName', 'description', 'visibility', 'members']) {
        if (body[key] !== undefined) {
          throw graphErrors.badRequest(
            `'${key}' cannot be given with 'group@odata.bind': the team takes the group's.`,
          );
        }
      }
      const groupId = boundKey(groupRef, ['groups']);
      if (!groupId) throw graphErrors.badRequest("'group@odata.bind' must reference groups('{id}').");
      group = requireGroup(call.tenant, groupId);
      // A group under a few minutes old may not have reached Teams yet.
      requireReplicated(call, group);
      if (!group.groupTypes.includes('Unified'))
        throw graphErrors.badRequest('Only Microsoft 365 groups can have a team.');
      if (call.graph.teams.some((t) => t.id === group.id)) {
        throw new GraphError(409, 'Conflict', `Group ${group.id} already has a team.`);
      }
      plan = planTeam(call, body);
    } else {
      const displayName = body.displayName;
      if (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > 256) {
        throw graphErrors.badRequest("'displayName' is required (at most 256 characters).");
      }
      const description = optionalString(body, 'description');
      if (description && description.length > 1024)
        throw graphErrors.badRequest("'description' is at most 1024 characters.");
      const visibility = (optionalString(body, 'visibility') ?? 'private').toLowerCase();
      if (visibility !== 'private' && visibility !== 'public') {
        throw graphErrors.badRequest(`Invalid visibility '${visibility}' (private or public).`);
      }
      plan = planTeam(call, body);
      if (call.caller.kind === 'application' && !plan.members.some((m) => m.roles.includes('owner'))) {
        throw graphErrors.badRequest(
          'An owner must be specified in members when creating a team with application permissions.',
        );
      }
      if (call.caller.userId && !plan.members.some((m) => m.userId === call.caller.userId)) {
        plan.members.unshift({ userId: call.caller.userId, roles: ['owner'] });
      }
      const mailNickname = mailNicknameFor(call, displayName);
      group = {
        id: guid(randomIds),
        displayName,
        mailNickname,
        mail: `${mailNickname}@${call.tenant.domain}`,
        description,
        visibility: visibility === 'public' ? 'Public' : 'Private',
        groupTypes: ['Unified'],
        mailEnabled: true,
        securityEnabled: false,
        resourceProvisioningOptions: [],
        ownerIds: [],
        memberIds: [],
        createdDateTime: call.now.toISOString(),
        replicatedAt: call.now.toISOString(),
      };
      call.tenant.directory.groups.push(group);
    }

    const operation = startOperation(
      call.graph,
      group.id,
      'createTeam',
      call.ctx.faults.operationDurationMs(),
      randomIds,
      call.now,
    );
    const readyAt = new Date(operation.succeedsAt);
    ensureGroupDrive(call.tenant, call.graph, group, randomIds, call.now);
    const team = createTeamRecord(call.tenant, call.graph, group, {
      settings: plan.settings,
      ...(plan.firstChannelName ? { firstChannelName: plan.firstChannelName } : {}),
      readyAt,
      ids: randomIds,
      now: call.now,
    });
    for (const member of plan.members)
      setTeamMember(group, requireUser(call.tenant, member.userId), member.roles);
    // Apps the template's tabs use are installed with the team.
    const apps = [
      ...new Set([...plan.appIds, ...plan.channels.flatMap((c) => c.tabs.map((t) => t.teamsAppId))]),
    ];
    for (const appId of apps) installApp(call.tenant, call.graph, team.id, appId, randomIds, call.now);
    for (const c of plan.channels) {
      const channel = addChannel(
        call.tenant,
        call.graph,
        team,
        group,
        { ...c, membershipType: 'standard', members: [] },
        randomIds,
        call.now,
      );
      for (const tab of c.tabs) addTab(call.tenant, call.graph, channel, tab, randomIds, call.now);
    }
    call.reply
      .code(202)
      .header('Location', operationLocation(operation))
      .header('Content-Location', `/teams('${team.id}')`);
    return undefined;
  },
};
