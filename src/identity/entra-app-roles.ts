import type { Role } from '../api/caller.ts';

/**
 * The app roles Trellis's Entra registration defines (`value` of each appRole), and the Trellis
 * role each grants. Admins assign them to users or groups in Entra; they arrive in the token's
 * `roles` claim. Every signed-in user is a requester without one.
 */
export const ENTRA_APP_ROLES: Readonly<Record<string, Role>> = Object.freeze({
  'Trellis.TenantAdmin': 'tenant_admin',
  'Trellis.CatalogManager': 'catalog_manager',
  'Trellis.GovernanceAdmin': 'governance_admin',
  'Trellis.IntegrationManager': 'integration_manager',
  'Trellis.Approver': 'approver',
});

/** Trellis roles named by a token's `roles` claim; unknown values are ignored. */
export function rolesFromAppRoles(claim: readonly string[]): Role[] {
  const out = new Set<Role>();
  for (const value of claim) {
    const role = ENTRA_APP_ROLES[value];
    if (role) out.add(role);
  }
  return [...out];
}
