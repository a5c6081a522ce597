import type { ExistingGroup } from '../naming/index.ts';
import type { PolicyUser } from '../policy/index.ts';

/** A directory user as Trellis reads it from Graph (`/users`), unset attributes null. */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  country: string | null;
  officeLocation: string | null;
  usageLocation: string | null;
  companyName: string | null;
  preferredLanguage: string | null;
  userType: 'Member' | 'Guest' | null;
  accountEnabled: boolean | null;
}

/** A group the user belongs to (transitively). */
export interface DirectoryGroupRef {
  id: string;
  displayName: string;
}

/**
 * Directory reads for one Entra tenant, app-only through Microsoft Graph, cached briefly.
 * Not-found answers are `null` (or []), never thrown; Graph failures throw GraphError.
 */
export interface TenantDirectory {
  /** By object id or user principal name. */
  getUser(idOrUpn: string): Promise<DirectoryUser | null>;
  /** Transitive group memberships (security and Microsoft 365 groups). */
  getUserGroups(userId: string): Promise<DirectoryGroupRef[]>;
  /** The user's manager, or null when none is set. */
  getManager(userId: string): Promise<DirectoryUser | null>;
  /** Transitive user members of a group (null when the group does not exist). */
  listGroupMembers(groupId: string): Promise<DirectoryUser[] | null>;
  /** Groups whose display name or mail nickname equals one of these (case-insensitive), for conflict checks. */
  findGroupsByName(names: { displayName: string; mailNickname: string }): Promise<ExistingGroup[]>;
  /** Users whose display name, mail or UPN starts with `query` (people pickers), at most `top`. */
  searchUsers(query: string, top?: number): Promise<DirectoryUser[]>;
  /** The user as audience and approver rules see them: attributes plus groups (ids and names). */
  getPolicyUser(idOrUpn: string, roles?: readonly string[]): Promise<PolicyUser | null>;
}

/** Directory access across the tenants Trellis serves. */
export interface Directory {
  forTenant(entraTenantId: string): TenantDirectory;
}
