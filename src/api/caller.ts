import type { AuditActor } from '../audit/index.ts';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../identity/index.ts';

/** Trellis roles; every signed-in user of an onboarded tenant is at least a requester. */
export const ROLES = [
  'requester',
  'approver',
  'catalog_manager',
  'governance_admin',
  'integration_manager',
  'tenant_admin',
] as const;
export type Role = (typeof ROLES)[number];

/** An API permission: API tokens carry them directly, users get them through their roles. */
export type ApiScope = ApiTokenScope;
export const API_SCOPES: readonly ApiScope[] = API_TOKEN_SCOPES;

/**
 * What each role may do. Row-level narrowing (a requester sees only their own requests) is the
 * domain's job. Every user may call the approval routes: the right to decide a stage comes from
 * being named by it (a manager, a group member, a rule's result), checked per request.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly ApiScope[]>> = {
  requester: ['catalog:read', 'requests:read', 'requests:write', 'approvals:write'],
  approver: ['catalog:read', 'requests:read', 'requests:write', 'approvals:write'],
  catalog_manager: ['catalog:read', 'requests:read', 'templates:write'],
  governance_admin: ['catalog:read', 'requests:read', 'approvals:write', 'audit:read', 'provisioning:manage'],
  integration_manager: ['catalog:read', 'webhooks:manage', 'tokens:manage', 'audit:read'],
  tenant_admin: API_TOKEN_SCOPES,
};

/** The authenticated principal of an API request, always bound to exactly one tenant. */
export interface Caller {
  /** Trellis tenant id; every query the request makes is scoped to it. */
  tenantId: string;
  kind: 'user' | 'api_token';
  /** Entra object id of a user, or the token id. */
  id: string;
  displayName: string | null;
  /** Roles of a user (from Entra app roles, groups, or Trellis assignments); empty for tokens. */
  roles: readonly Role[];
  /** Effective scopes: the token's own, or the union of the user's roles' scopes. */
  scopes: ReadonlySet<ApiScope>;
  /** The Entra tenant the user signed in from (users only). */
  entraTenantId?: string;
  /** The user's sign-in name (users only). */
  userPrincipalName?: string;
}

/** The caller of a signed-in user (an Entra token, or a user Bot Framework vouched for). */
export function userCaller(user: {
  tenantId: string;
  userId: string;
  displayName: string | null;
  roles: readonly Role[];
  entraTenantId: string;
  userPrincipalName: string | null;
}): Caller {
  return {
    tenantId: user.tenantId,
    kind: 'user',
    id: user.userId,
    displayName: user.displayName,
    roles: user.roles,
    scopes: scopesForRoles(user.roles),
    entraTenantId: user.entraTenantId,
    ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}),
  };
}

/** Who the audit trail names for a change made by this caller. */
export function auditActorOf(caller: Caller): AuditActor {
  return {
    type: caller.kind,
    id: caller.id,
    ...(caller.displayName ? { name: caller.displayName } : {}),
  };
}

/** Union of the scopes the given roles grant. */
export function scopesForRoles(roles: readonly Role[]): Set<ApiScope> {
  const out = new Set<ApiScope>();
  for (const role of roles) for (const scope of ROLE_SCOPES[role]) out.add(scope);
  return out;
}

/** True when the caller holds any of the roles (tokens hold none). */
export function hasRole(caller: Caller, ...roles: Role[]): boolean {
  return roles.some((role) => caller.roles.includes(role));
}
