import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rolesFromAppRoles } from './entra-app-roles.ts';

test("Entra app role values map to Trellis roles; unknown values (Graph's, typos) are ignored", () => {
  assert.deepEqual(rolesFromAppRoles(['Trellis.TenantAdmin', 'Trellis.Approver']), [
    'tenant_admin',
    'approver',
  ]);
  assert.deepEqual(rolesFromAppRoles(['Trellis.CatalogManager', 'Trellis.CatalogManager']), [
    'catalog_manager',
  ]);
  assert.deepEqual(rolesFromAppRoles(['User.Read.All', 'trellis.tenantadmin', 'Trellis.Owner']), []);
  assert.deepEqual(rolesFromAppRoles(['Trellis.GovernanceAdmin', 'Trellis.IntegrationManager']), [
    'governance_admin',
    'integration_manager',
  ]);
});
