import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { DirectoryGroup, DirectoryUser, TenantState } from '../../state/types.ts';
import { graphErrors } from '../http/errors.ts';

/** The properties Graph returns for a user without `$select`. */
export const USER_DEFAULT_SELECT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** A user by object id or UPN (case-insensitive), or undefined. */
export function findUser(tenant: TenantState, idOrUpn: string): DirectoryUser | undefined {
  const key = idOrUpn.toLowerCase();
  return tenant.directory.users.find(
    (u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key,
  );
}

/**
 * A user by id or UPN.
 * @throws GraphError(404 Request_ResourceNotFound)
 */
export function requireUser(tenant: TenantState, idOrUpn: string): DirectoryUser {
  const user = findUser(tenant, idOrUpn);
  if (!user) throw graphErrors.directoryNotFound(idOrUpn);
  return user;
}

/** A group by id, or undefined. */
export function findGroup(tenant: TenantState, id: string): DirectoryGroup | undefined {
  const key = id.toLowerCase();
  return tenant.directory.groups.find((g) => g.id.toLowerCase() === key);
}

/**
 * A group by id.
 * @throws GraphError(404 Request_ResourceNotFound)
 */
export function requireGroup(tenant: TenantState, id: string): DirectoryGroup {
  const group = findGroup(tenant, id);
  if (!group) throw graphErrors.directoryNotFound(id);
  return group;
}

/** Whether the group is past its replication lag (Teams and SharePoint see it). */
export function isReplicated(group: DirectoryGroup, now: Date): boolean {
  return Date.parse(group.replicatedAt) <= now.getTime();
}

/** The user with every property the sandbox knows (list routes trim to Graph's default set). */
export function userShape(user: DirectoryUser): MicrosoftGraph.User & Record<string, unknown> {
  return {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: user.officeLocation,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    department: user.department,
    country: user.country,
    usageLocation: user.usageLocation,
    userType: user.userType,
    createdDateTime: user.createdDateTime,
    // The seed sets no company; Graph returns unset properties as null when selected.
    companyName: null,
    mailNickname: user.userPrincipalName.split('@')[0] ?? null,
  } satisfies MicrosoftGraph.User;
}

/** A user as a directoryObject in a mixed collection (owners, members, manager). */
export function userObject(user: DirectoryUser): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.user', ...userShape(user) };
}

/** The security identifier Entra derives from an object id (S-1-12-1 and its four 32-bit words). */
function securityIdentifier(id: string): string {
  const bytes = Buffer.from(id.replace(/-/g, '').padEnd(32, '0').slice(0, 32), 'hex');
  const words = [0, 4, 8, 12].map((o) => bytes.readUInt32LE(o));
  return `S-1-12-1-${words.join('-')}`;
}

/** A group with Graph's default properties; `Team` appears in resourceProvisioningOptions once its team is ready. */
export function groupShape(group: DirectoryGroup, teamReady: boolean): Record<string, unknown> {
  const shape = {
    id: group.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: group.createdDateTime,
    description: group.description,
    displayName: group.displayName,
    expirationDateTime: null,
    groupTypes: [...group.groupTypes],
    isAssignableToRole: null,
    mail: group.mail,
    mailEnabled: group.mailEnabled,
    mailNickname: group.mailNickname,
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: null,
    preferredDataLocation: null,
    preferredLanguage: null,
    proxyAddresses: group.mail ? [`SMTP:${group.mail}`] : [],
    renewedDateTime: group.createdDateTime,
    securityEnabled: group.securityEnabled,
    securityIdentifier: securityIdentifier(group.id),
    theme: null,
    visibility: group.visibility,
  } satisfies MicrosoftGraph.Group;
  // v1.0 returns these (and filters on them) although its published typings omit them.
  return {
    ...shape,
    creationOptions: teamReady ? ['Team'] : [],
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: group.resourceProvisioningOptions.filter((o) => o !== 'Team' || teamReady),
  };
}

/** A group as a directoryObject in a mixed collection (memberOf). */
export function groupObject(group: DirectoryGroup, teamReady: boolean): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.group', ...groupShape(group, teamReady) };
}

/** Users of the group in the given role (ids that no longer resolve are skipped, as Graph does). */
export function groupUsers(
  tenant: TenantState,
  group: DirectoryGroup,
  role: 'owners' | 'members',
): DirectoryUser[] {
  const ids = role === 'owners' ? group.ownerIds : group.memberIds;
  return ids.map((id) => findUser(tenant, id)).filter((u): u is DirectoryUser => u !== undefined);
}

/**
 * The groups `objectId` (a user or a group) belongs to directly or through nested groups, each once,
 * as `transitiveMemberOf` lists them.
 */
export function transitiveGroupsOf(tenant: TenantState, objectId: string): DirectoryGroup[] {
  const found = new Map<string, DirectoryGroup>();
  const pending = [objectId.toLowerCase()];
  while (pending.length > 0) {
    const member = pending.pop() as string;
    for (const group of tenant.directory.groups) {
      if (found.has(group.id) || !group.memberIds.some((id) => id.toLowerCase() === member)) continue;
      found.set(group.id, group);
      pending.push(group.id.toLowerCase());
    }
  }
  return [...found.values()];
}

/**
 * The group's members directly or through nested groups, each once, as `transitiveMembers` lists
 * them: users and the nested groups themselves (ids that no longer resolve are skipped).
 */
export function transitiveMembersOf(
  tenant: TenantState,
  group: DirectoryGroup,
): { users: DirectoryUser[]; groups: DirectoryGroup[] } {
  const users = new Map<string, DirectoryUser>();
  const groups = new Map<string, DirectoryGroup>([[group.id, group]]);
  const pending = [group];
  while (pending.length > 0) {
    const current = pending.pop() as DirectoryGroup;
    for (const id of current.memberIds) {
      const user = findUser(tenant, id);
      if (user) {
        users.set(user.id, user);
        continue;
      }
      const nested = findGroup(tenant, id);
      if (nested && !groups.has(nested.id)) {
        groups.set(nested.id, nested);
        pending.push(nested);
      }
    }
  }
  groups.delete(group.id);
  return { users: [...users.values()], groups: [...groups.values()] };
}
