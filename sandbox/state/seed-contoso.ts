import { emptyBotState } from '../botframework/state.ts';
import { seedGraph } from '../graph/seed.ts';
import { emptyGraphState } from '../graph/state.ts';
import { emptyVaultState } from '../keyvault/state.ts';
import type { TenantState } from './types.ts';

/** Fixed ids, so that docs, tests and a restarted demo all name the same Contoso objects. */
export const CONTOSO_TENANT_ID = '6f2c1b0e-4a7d-4c3e-9b1a-3c0ffee00001';
export const CONTOSO_DOMAIN = 'contoso.onmicrosoft.com';
/** Trellis's own app registration in Contoso (Graph application permissions, SSO, bot). */
export const TRELLIS_CLIENT_ID = '7a1d5e2f-8b3c-4d9e-a6f0-11e11150a001';

/** The demo tenant: users across departments and countries, groups, teams, apps. */
export function seedContoso(): TenantState[] {
  const tenant: TenantState = {
    id: CONTOSO_TENANT_ID,
    displayName: 'Contoso',
    domain: CONTOSO_DOMAIN,
    directory: { users: [], groups: [], apps: [] },
    graph: emptyGraphState(),
    bot: emptyBotState(),
    vault: emptyVaultState(),
  };
  seedGraph(tenant);
  return [tenant];
}
