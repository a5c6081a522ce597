import { API_SCOPES, type Caller } from '../src/api/caller.ts';
import type { Db } from '../src/db/index.ts';

/** The embedded demo tenant (Contoso), and a caller holding every scope in it, for benchmarks. */
export async function demoTenant(
  db: Db,
): Promise<{ tenantId: string; entraTenantId: string; caller: Caller }> {
  const tenant = await db.withPlatform((tx) =>
    tx
      .selectFrom('tenants')
      .select(['tenant_id', 'entra_tenant_id'])
      .where('slug', '=', 'contoso')
      .executeTakeFirstOrThrow(),
  );
  return {
    tenantId: tenant.tenant_id,
    entraTenantId: tenant.entra_tenant_id ?? '',
    caller: {
      tenantId: tenant.tenant_id,
      kind: 'api_token',
      id: 'bench',
      displayName: 'bench',
      roles: [],
      scopes: new Set(API_SCOPES),
    },
  };
}
