import { randomUUID } from 'node:crypto';
import { type AuditActor, type AuditSource, recordAudit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';
import type { GraphClient } from '../graph/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { alternativeSlug, tenantSlugFor } from './tenant-slug.ts';

const ENTRA_TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Trellis tenant as onboarding reports it. */
export interface OnboardedTenant {
  tenantId: string;
  slug: string;
  displayName: string;
  entraTenantId: string;
  /** False when the Entra tenant was already onboarded (onboarding is idempotent). */
  created: boolean;
}

export interface OnboardTenantInput {
  entraTenantId: string;
  /** Chosen by the caller (the embedded demo); otherwise read from Graph. */
  slug?: string;
  displayName?: string;
  actor: AuditActor;
  source?: AuditSource | undefined;
}

interface Organization {
  displayName?: string;
  verifiedDomains?: { name?: string; isDefault?: boolean }[];
}

/**
 * Creates the Trellis tenant of an Entra tenant once (audited `tenant.onboarded`); a repeated
 * onboarding returns the existing tenant. Name and slug come from Graph's `/organization` when
 * Trellis can read it (consent was just granted), else from the tenant id.
 * @throws AppError(validation_failed) for a malformed Entra tenant id.
 */
export async function onboardTenant(
  deps: { db: Db; graph: GraphClient; log: Logger },
  input: OnboardTenantInput,
): Promise<OnboardedTenant> {
  if (!ENTRA_TENANT_ID.test(input.entraTenantId)) {
    throw errors.validation('Not an Entra tenant id', { tenant: input.entraTenantId });
  }
  const entraTenantId = input.entraTenantId.toLowerCase();
  const existing = await findByEntraTenant(deps.db, entraTenantId);
  if (existing) return { ...existing, created: false };

  let org: { domain: string | null; name: string | null } = { domain: null, name: null };
  if (!input.slug || !input.displayName) {
    try {
      const found = await deps.graph
        .forTenant(entraTenantId)
        .request<Organization>('GET', `/organization/${entraTenantId}`, {
          query: { select: ['displayName', 'verifiedDomains'] },
          retry: { maxAttempts: 2, maxTotalMs: 5_000 },
        });
      const domains = found?.verifiedDomains ?? [];
      org = {
        domain: (domains.find((d) => d.isDefault) ?? domains[0])?.name ?? null,
        name: found?.displayName ?? null,
      };
    } catch (error) {
      deps.log.warn(
        { err: error, entraTenantId },
        'organization not readable through Graph; naming the tenant by its id',
      );
    }
  }
  const baseSlug = input.slug ?? tenantSlugFor(entraTenantId, org);
  const displayName = (input.displayName ?? org.name ?? `Tenant ${entraTenantId.slice(0, 8)}`).slice(0, 256);

  for (let attempt = 1; attempt <= 20; attempt++) {
    const slug = attempt === 1 ? baseSlug : alternativeSlug(baseSlug, attempt);
    const created = await deps.db.withPlatform(async (tx) => {
      const row = await tx
        .insertInto('tenants')
        .values({ tenant_id: randomUUID(), slug, display_name: displayName, entra_tenant_id: entraTenantId })
        // Either unique index: the slug is taken, or a concurrent onboarding won (read below).
        .onConflict((oc) => oc.doNothing())
        .returning(['tenant_id', 'slug', 'display_name'])
        .executeTakeFirst();
      if (!row) return undefined;
      await recordAudit(tx, row.tenant_id, {
        actor: input.actor,
        action: 'tenant.onboarded',
        target: { type: 'tenant', id: row.tenant_id },
        after: { slug, displayName, entraTenantId },
        source: input.source,
      });
      return row;
    });
    if (created) {
      deps.log.info({ tenantId: created.tenant_id, slug, entraTenantId }, 'tenant onboarded');
      return {
        tenantId: created.tenant_id,
        slug: created.slug,
        displayName: created.display_name,
        entraTenantId,
        created: true,
      };
    }
    const raced = await findByEntraTenant(deps.db, entraTenantId);
    if (raced) return { ...raced, created: false };
  }
  throw errors.conflict(`No free slug for ${baseSlug}`);
}

/** The Trellis tenant onboarded for an Entra tenant (a platform read: sign-in precedes the tenant). */
export async function findByEntraTenant(
  db: Db,
  entraTenantId: string,
): Promise<(Omit<OnboardedTenant, 'created'> & { status: 'active' | 'suspended' }) | undefined> {
  const row = await db.withPlatform((tx) =>
    tx
      .selectFrom('tenants')
      .select(['tenant_id', 'slug', 'display_name', 'status'])
      .where('entra_tenant_id', '=', entraTenantId.toLowerCase())
      .executeTakeFirst(),
  );
  return row
    ? {
        tenantId: row.tenant_id,
        slug: row.slug,
        displayName: row.display_name,
        entraTenantId: entraTenantId.toLowerCase(),
        status: row.status,
      }
    : undefined;
}
