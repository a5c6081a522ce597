import type { TenantState } from '../state/types.ts';
import { catalogOf } from './model/catalog.ts';
import { findGroup } from './model/directory.ts';
import { childrenOf } from './model/drive.ts';
import { channelMembers, channelsOf, findReadyTeam, teamMembers } from './model/teams.ts';
import { type GraphState, graphOf } from './state.ts';

/** One team as the inspection page shows it: channels with their tabs and files, apps, plans. */
export interface TeamTree {
  id: string;
  displayName: string;
  description: string | null;
  visibility: string;
  isArchived: boolean;
  picture: { contentType: string; size: number } | null;
  assignedLabels: string[];
  members: { userId: string; displayName: string; roles: string[] }[];
  installedApps: { id: string; displayName: string }[];
  channels: {
    id: string;
    displayName: string;
    membershipType: string;
    /** Private and shared channels: their own roster. */
    members?: { userId: string; roles: string[] }[];
    tabs: { id: string; displayName: string; appId: string }[];
    files: { path: string; size: number }[];
  }[];
  plans: {
    id: string;
    title: string;
    buckets: { id: string; name: string; tasks: { id: string; title: string; percentComplete: number }[] }[];
  }[];
}

/** Teams of a tenant (id and name), for the inspection API; a team still being created is not listed yet. */
export function listTeams(tenant: TenantState): { id: string; displayName: string; isArchived: boolean }[] {
  const graph = graphOf(tenant);
  const now = new Date();
  return graph.teams.flatMap((t) => {
    const team = findReadyTeam(graph, t.id, now);
    const group = team ? findGroup(tenant, team.id) : undefined;
    return team && group
      ? [{ id: team.id, displayName: group.displayName, isArchived: team.isArchived }]
      : [];
  });
}

function filesUnder(graph: GraphState, folderId: string, prefix: string): { path: string; size: number }[] {
  return childrenOf(graph, folderId).flatMap((item) => {
    const path = prefix ? `${prefix}/${item.name}` : item.name;
    return item.kind === 'file' ? [{ path, size: item.size }] : filesUnder(graph, item.id, path);
  });
}

/** The tree of one team, or undefined (unknown, or still being created). */
export function teamTree(tenant: TenantState, teamId: string): TeamTree | undefined {
  const graph = graphOf(tenant);
  const team = findReadyTeam(graph, teamId, new Date());
  const group = team ? findGroup(tenant, team.id) : undefined;
  if (!team || !group) return undefined;
  const catalog = catalogOf(tenant);
  return {
    id: team.id,
    displayName: group.displayName,
    description: group.description,
    visibility: (group.visibility ?? 'Private').toLowerCase(),
    isArchived: team.isArchived,
    picture: group.photo
      ? { contentType: group.photo.contentType, size: Buffer.from(group.photo.data, 'base64').length }
      : null,
    assignedLabels: [...(group.assignedLabelIds ?? [])],
    members: teamMembers(tenant, group).map((m) => ({
      userId: m.user.id,
      displayName: m.user.displayName,
      roles: m.roles,
    })),
    installedApps: graph.installedApps
      .filter((i) => i.teamId === team.id)
      .map((i) => ({
        id: i.teamsAppId,
        displayName: catalog.find((a) => a.id === i.teamsAppId)?.displayName ?? i.teamsAppId,
      })),
    channels: channelsOf(graph, team.id).map((c) => ({
      id: c.id,
      displayName: c.displayName,
      membershipType: c.membershipType,
      ...(c.membershipType === 'standard'
        ? {}
        : { members: channelMembers(tenant, group, c).map((m) => ({ userId: m.user.id, roles: m.roles })) }),
      tabs: graph.tabs
        .filter((t) => t.channelId === c.id)
        .map((t) => ({ id: t.id, displayName: t.displayName, appId: t.teamsAppId })),
      files: filesUnder(graph, c.folderId, ''),
    })),
    plans: graph.plans
      .filter((p) => p.groupId === team.id)
      .map((p) => ({
        id: p.id,
        title: p.title,
        buckets: graph.buckets
          .filter((b) => b.planId === p.id)
          .map((b) => ({
            id: b.id,
            name: b.name,
            tasks: graph.tasks
              .filter((t) => t.bucketId === b.id)
              .map((t) => ({ id: t.id, title: t.title, percentComplete: t.percentComplete })),
          })),
      })),
  };
}
