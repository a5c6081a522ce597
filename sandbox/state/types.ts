import type { BotState } from '../botframework/state.ts';
import type { EntraState } from '../entra/state.ts';
import type { GraphState } from '../graph/state.ts';
import type { VaultState } from '../keyvault/state.ts';

/** A directory user, with the profile attributes Trellis reads (naming rules, audiences). */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  mail: string;
  displayName: string;
  givenName: string;
  surname: string;
  jobTitle: string | null;
  department: string | null;
  country: string | null;
  officeLocation: string | null;
  usageLocation: string | null;
  preferredLanguage: string | null;
  managerId: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  createdDateTime: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  mail: string | null;
  description: string | null;
  visibility: 'Public' | 'Private' | 'HiddenMembership' | null;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  resourceProvisioningOptions: string[];
  ownerIds: string[];
  memberIds: string[];
  createdDateTime: string;
  /** Graph replies 404 to team creation on this group until then (replication lag). */
  replicatedAt: string;
  /** The group's (and its team's) picture. */
  photo?: { contentType: string; data: string; width: number; height: number } | null;
  /** Sensitivity labels assigned (ids), delegated callers only. */
  assignedLabelIds?: string[];
}

/** An Entra app registration in this tenant (Trellis's own, Teams clients …). */
export interface AppRegistration {
  clientId: string;
  displayName: string;
  /** Client secrets accepted at the token endpoint. */
  secrets: string[];
  /** Application ID URIs (`api://…`) besides the client id. */
  identifierUris: string[];
  /** Delegated scopes this app exposes (e.g. `access_as_user`). */
  exposedScopes: string[];
  /** Application permissions granted to this app by an admin (Graph `roles`). */
  appRoles: string[];
  /** Whether an admin granted consent in this tenant; without it, Entra's AADSTS65001 error. */
  adminConsented: boolean;
  redirectUris: string[];
  /** Client ids pre-authorized to get tokens for this app's API (Teams clients for SSO). */
  preAuthorizedClientIds: string[];
  /**
   * Delegated permissions consented in this tenant, by resource (`https://graph.microsoft.com`, an
   * App ID URI …). Absent: any scope the resource exposes is treated as consented.
   */
  delegatedPermissions?: Record<string, string[]>;
  /** A public client (desktop, mobile, SPA): no secret, and it must not send one. */
  publicClient?: boolean;
  /**
   * What the app asks for (its manifest's requiredResourceAccess): an admin consent grants these
   * Graph application permissions and delegated scopes in the tenant.
   */
  requiredResourceAccess?: { appRoles: string[]; delegatedPermissions: Record<string, string[]> };
  /**
   * Assignments of this app's own app roles (`Trellis.TenantAdmin` …) in this tenant, to users or
   * groups (direct members): they reach the `roles` claim of user tokens for this app's API.
   */
  appRoleAssignments?: { principalId: string; appRole: string }[];
}

export interface DirectoryState {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  apps: AppRegistration[];
  /** Members of the Global Administrator directory role: they may grant tenant-wide admin consent. */
  globalAdministratorIds?: string[];
}

export interface TenantState {
  id: string;
  displayName: string;
  /** Verified domain, e.g. contoso.onmicrosoft.com. */
  domain: string;
  directory: DirectoryState;
  graph: GraphState;
  bot: BotState;
  vault: VaultState;
  /** Outstanding authorization codes and refresh tokens (absent until the first sign-in). */
  entra?: EntraState;
}

/** Signing keys, kept across restarts so that issued tokens stay valid. */
export interface SigningKeys {
  /** Entra ID (v2 access/id tokens); JWK with private parts. */
  entra: { kid: string; privateJwk: Record<string, unknown> };
  /** Bot Framework (inbound activity tokens). */
  botframework: { kid: string; privateJwk: Record<string, unknown> };
}

export interface SandboxState {
  version: 1;
  tenants: TenantState[];
  keys: SigningKeys;
}
