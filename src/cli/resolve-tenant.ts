import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';

/** A tenant given on the command line by slug or id. @throws AppError(not_found) */
export async function resolveTenant(db: Db, slugOrId: string): Promise<{ tenantId: string; slug: string }> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(slugOrId);
  const row = await db.withPlatform((tx) =>
    tx
      .selectFrom('tenants')
      .select(['tenant_id', 'slug'])
      .where(isId ? 'tenant_id' : 'slug', '=', slugOrId)
      .executeTakeFirst(),
  );
  if (!row) throw errors.notFound(`Tenant "${slugOrId}"`);
  return { tenantId: row.tenant_id, slug: row.slug };
}
