import type { TenantState } from '../state/types.ts';

/** One team as the inspection page shows it: channels with their tabs and files, apps, plans. */
export interface TeamTree {
  id: string;
  displayName: string;
  description: string | null;
  visibility: string;
  isArchived: boolean;
  members: { userId: string; displayName: string; roles: string[] }[];
  installedApps: { id: string; displayName: string }[];
  channels: {
    id: string;
    displayName: string;
    membershipType: string;
    tabs: { id: string; displayName: string; appId: string }[];
    files: { path: string; size: number }[];
  }[];
  plans: {
    id: string;
    title: string;
    buckets: { id: string; name: string; tasks: { id: string; title: string; percentComplete: number }[] }[];
  }[];
}

/** Teams of a tenant (id and name), for the inspection API. */
export function listTeams(_tenant: TenantState): { id: string; displayName: string; isArchived: boolean }[] {
  return [];
}

/** The tree of one team, or undefined. */
export function teamTree(_tenant: TenantState, _teamId: string): TeamTree | undefined {
  return undefined;
}
