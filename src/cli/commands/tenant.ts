import { randomUUID } from 'node:crypto';
import Table from 'cli-table3';
import { Command } from 'commander';
import { recordAudit } from '../../audit/index.ts';
import { RATE_LIMIT_TIER_SETTING, RATE_LIMIT_TIERS } from '../../api/rate-limit-tiers.ts';
import { errors } from '../../errors/index.ts';
import { resolveTenant } from '../resolve-tenant.ts';
import { CLI_ACTOR, withDb } from '../with-db.ts';

/** `trellis tenant create|list|set-tier`: platform-admin onboarding and plans of tenants. */
export function tenantCommand(): Command {
  const tenant = new Command('tenant').description('Tenants (platform admin)');
  tenant
    .command('create')
    .description('Create a tenant')
    .argument('<slug>', 'short name: lowercase letters, digits, hyphens')
    .argument('<name>', 'display name')
    .option('--entra-tenant-id <id>', 'the Entra tenant it maps to')
    .action(async (slug: string, name: string, options: { entraTenantId?: string }) => {
      if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug))
        throw errors.validation('slug: 2-63 lowercase letters, digits and hyphens');
      if (options.entraTenantId && !/^[0-9a-f-]{36}$/i.test(options.entraTenantId)) {
        throw errors.validation('--entra-tenant-id must be a GUID');
      }
      const tenantId = randomUUID();
      await withDb(async (db) => {
        const exists = await db.withPlatform((tx) =>
          tx.selectFrom('tenants').select('tenant_id').where('slug', '=', slug).executeTakeFirst(),
        );
        if (exists) throw errors.conflict(`Tenant "${slug}" already exists`);
        await db.withPlatform((tx) =>
          tx
            .insertInto('tenants')
            .values({
              tenant_id: tenantId,
              slug,
              display_name: name,
              entra_tenant_id: options.entraTenantId ?? null,
            })
            .execute(),
        );
        await db.withTenant(tenantId, (tx) =>
          recordAudit(tx, tenantId, {
            actor: CLI_ACTOR,
            action: 'tenant.created',
            target: { type: 'tenant', id: tenantId },
            after: { slug, name },
          }),
        );
      });
      process.stdout.write(`Created tenant ${slug} (${tenantId}).\n`);
    });
  tenant
    .command('list')
    .description('List tenants')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDb((db) =>
        db.withPlatform((tx) =>
          tx
            .selectFrom('tenants')
            .select(['tenant_id', 'slug', 'display_name', 'status'])
            .orderBy('slug')
            .execute(),
        ),
      );
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(rows.map((r) => ({ tenantId: r.tenant_id, slug: r.slug, name: r.display_name, status: r.status })))}\n`,
        );
        return;
      }
      const table = new Table({ head: ['slug', 'name', 'status', 'id'], style: { head: [], border: [] } });
      for (const r of rows) table.push([r.slug, r.display_name, r.status, r.tenant_id]);
      process.stdout.write(`${table.toString()}\n`);
    });
  tenant
    .command('set-tier')
    .description('Set the API rate-limit tier of a tenant (free, standard, enterprise)')
    .argument('<tenant>', 'tenant slug or id')
    .argument('<tier>', Object.keys(RATE_LIMIT_TIERS).join(' | '))
    .action(async (slugOrId: string, tier: string) => {
      if (!Object.hasOwn(RATE_LIMIT_TIERS, tier)) {
        throw errors.validation(`tier: one of ${Object.keys(RATE_LIMIT_TIERS).join(', ')}`);
      }
      await withDb(async (db) => {
        const { tenantId, slug } = await resolveTenant(db, slugOrId);
        await db.withTenant(tenantId, async (tx) => {
          const before = await tx
            .selectFrom('tenant_settings')
            .select('value')
            .where('key', '=', RATE_LIMIT_TIER_SETTING)
            .executeTakeFirst();
          await tx
            .insertInto('tenant_settings')
            .values({
              tenant_id: tenantId,
              key: RATE_LIMIT_TIER_SETTING,
              value: JSON.stringify(tier),
              updated_at: new Date(),
            })
            .onConflict((oc) =>
              oc
                .columns(['tenant_id', 'key'])
                .doUpdateSet({ value: JSON.stringify(tier), updated_at: new Date() }),
            )
            .execute();
          await recordAudit(tx, tenantId, {
            actor: CLI_ACTOR,
            action: 'tenant.rate_limit_tier_changed',
            target: { type: 'tenant', id: tenantId },
            before: { tier: before?.value ?? null },
            after: { tier },
          });
        });
        // Running servers pick the change up within a minute (the tier is cached that long).
        process.stdout.write(`Tenant ${slug} is on the ${tier} tier.\n`);
      });
    });
  return tenant;
}
