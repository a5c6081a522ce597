import type { TenantState } from '../state/types.ts';

/**
 * Microsoft Graph objects beyond the directory (teams, channels, tabs, drive, planner …).
 * Directory users and groups live in `tenant.directory`; a team shares its group's id.
 */
export interface GraphState {
  teams: TeamRecord[];
  channels: ChannelRecord[];
  tabs: TabRecord[];
  installedApps: InstalledAppRecord[];
  operations: OperationRecord[];
  drives: DriveRecord[];
  driveItems: DriveItemRecord[];
  plans: PlanRecord[];
  buckets: BucketRecord[];
  tasks: TaskRecord[];
  /** The tenant's Teams app catalog: store apps and organization (LOB) apps. */
  catalog: CatalogAppRecord[];
  /** One row per team and active day: what the usage reports aggregate. */
  activity: ActivityRecord[];
}

export interface TeamSettings {
  memberSettings: {
    allowCreateUpdateChannels: boolean;
    allowCreatePrivateChannels: boolean;
    allowDeleteChannels: boolean;
    allowAddRemoveApps: boolean;
    allowCreateUpdateRemoveTabs: boolean;
    allowCreateUpdateRemoveConnectors: boolean;
  };
  guestSettings: { allowCreateUpdateChannels: boolean; allowDeleteChannels: boolean };
  messagingSettings: {
    allowUserEditMessages: boolean;
    allowUserDeleteMessages: boolean;
    allowOwnerDeleteMessages: boolean;
    allowTeamMentions: boolean;
    allowChannelMentions: boolean;
  };
  funSettings: {
    allowGiphy: boolean;
    giphyContentRating: 'moderate' | 'strict';
    allowStickersAndMemes: boolean;
    allowCustomMemes: boolean;
  };
  discoverySettings: { showInTeamsSearchAndSuggestions: boolean };
}

export interface TeamRecord extends TeamSettings {
  /** The group's id. */
  id: string;
  createdDateTime: string;
  /** Until then (the createTeam operation runs) the team answers 404. */
  readyAt: string;
  /** The General channel's thread id, which Teams also calls the team's internal id. */
  internalId: string;
  classification: string | null;
  specialization: 'none' | 'educationStandard' | 'educationClass' | 'educationProfessionalLearningCommunity';
  isArchived: boolean;
  /** An archive/unarchive whose operation has not finished yet: applied once `effectiveAt` passed. */
  pendingArchive: { isArchived: boolean; effectiveAt: string; siteReadOnlyForMembers: boolean } | null;
  siteReadOnlyForMembers: boolean;
}

export interface ConversationMemberRecord {
  userId: string;
  roles: string[];
  createdDateTime: string;
}

export interface ChannelRecord {
  id: string;
  teamId: string;
  displayName: string;
  description: string | null;
  membershipType: 'standard' | 'private' | 'shared';
  isFavoriteByDefault: boolean;
  createdDateTime: string;
  /** Private and shared channels have their own roster; standard channels use the team's. */
  members: ConversationMemberRecord[];
  /** The drive holding the channel's files (the team's drive, or the channel's own site for private/shared). */
  driveId: string;
  /** The channel's folder in that drive. */
  folderId: string;
}

export interface TabRecord {
  id: string;
  teamId: string;
  channelId: string;
  displayName: string;
  teamsAppId: string;
  configuration: {
    entityId: string | null;
    contentUrl: string | null;
    websiteUrl: string | null;
    removeUrl: string | null;
  };
  createdDateTime: string;
}

export interface InstalledAppRecord {
  id: string;
  teamId: string;
  teamsAppId: string;
  installedDateTime: string;
}

export type OperationType = 'createTeam' | 'archiveTeam' | 'unarchiveTeam' | 'teamifyGroup';

export interface OperationRecord {
  id: string;
  teamId: string;
  operationType: OperationType;
  createdDateTime: string;
  /** notStarted until then, inProgress until `succeedsAt`, succeeded after. */
  startsAt: string;
  succeedsAt: string;
}

export interface DriveRecord {
  id: string;
  groupId: string;
  /** Set for the own site of a private or shared channel. */
  channelId: string | null;
  name: string;
  /** `https://contoso.sharepoint.com/sites/{site}/Shared%20Documents`. */
  webUrl: string;
  createdDateTime: string;
  rootId: string;
}

export interface DriveItemRecord {
  id: string;
  driveId: string;
  /** null for the drive's root. */
  parentId: string | null;
  name: string;
  kind: 'folder' | 'file';
  /** File bytes, base64. */
  content: string | null;
  mimeType: string | null;
  size: number;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** Bumped on every change: `eTag` is `"{id},{version}"`. */
  version: number;
  createdBy: { kind: 'user' | 'application'; id: string };
}

export interface PlanRecord {
  id: string;
  groupId: string;
  title: string;
  createdDateTime: string;
  createdBy: { kind: 'user' | 'application'; id: string };
  version: number;
  details: {
    /** category1 … category25 → label; null when unnamed. */
    categoryDescriptions: Record<string, string | null>;
    sharedWith: Record<string, boolean>;
    version: number;
  };
}

export interface BucketRecord {
  id: string;
  planId: string;
  name: string;
  orderHint: string;
  version: number;
}

export interface ChecklistItemRecord {
  title: string;
  isChecked: boolean;
  orderHint: string;
  lastModifiedDateTime: string;
  lastModifiedBy: string;
}

export interface TaskRecord {
  id: string;
  planId: string;
  bucketId: string | null;
  title: string;
  orderHint: string;
  percentComplete: number;
  priority: number;
  startDateTime: string | null;
  dueDateTime: string | null;
  createdDateTime: string;
  completedDateTime: string | null;
  createdBy: { kind: 'user' | 'application'; id: string };
  appliedCategories: Record<string, boolean>;
  /** userId → assignment. */
  assignments: Record<string, { assignedDateTime: string; orderHint: string; assignedBy: string }>;
  version: number;
  details: {
    description: string;
    previewType: string;
    checklist: Record<string, ChecklistItemRecord>;
    references: Record<string, Record<string, unknown>>;
    version: number;
  };
}

export interface CatalogAppRecord {
  /** Store apps: their manifest id; organization apps: a catalog-generated GUID. */
  id: string;
  /** The manifest id of an organization app; null for store apps. */
  externalId: string | null;
  displayName: string;
  distributionMethod: 'store' | 'organization' | 'sideloaded';
  definition: {
    id: string;
    version: string;
    description: string;
    shortDescription: string;
    lastModifiedDateTime: string;
  };
}

export interface ActivityRecord {
  teamId: string;
  /** `YYYY-MM-DD`. */
  date: string;
  activeUsers: number;
  activeChannels: number;
  guests: number;
  reactions: number;
  meetingsOrganized: number;
  postMessages: number;
  replyMessages: number;
  urgentMessages: number;
  mentions: number;
  activeSharedChannels: number;
  activeExternalUsers: number;
}

/** A tenant's Graph state with no teams yet. */
export function emptyGraphState(): GraphState {
  return {
    teams: [],
    channels: [],
    tabs: [],
    installedApps: [],
    operations: [],
    drives: [],
    driveItems: [],
    plans: [],
    buckets: [],
    tasks: [],
    catalog: [],
    activity: [],
  };
}

/** The tenant's Graph state, with any collection a state file from an older sandbox lacks added. */
export function graphOf(tenant: TenantState): GraphState {
  const state = tenant.graph as Partial<GraphState>;
  const empty = emptyGraphState();
  for (const key of Object.keys(empty) as (keyof GraphState)[]) {
    if (!Array.isArray(state[key])) (state as Record<string, unknown>)[key] = empty[key];
  }
  return state as GraphState;
}
