import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/index.ts';
import { AppError } from '../../src/errors/index.ts';

/** Tenancy guarantees every database backend must give; run on PGlite and PostgreSQL alike. */
export function dbContract(name: string, open: () => Promise<Db>): void {
  describe(`database contract: ${name}`, () => {
    let db: Db;
    const t1 = randomUUID();
    const t2 = randomUUID();

    before(async () => {
      db = await open();
      const first = await db.migrate();
      assert.ok(first.applied.length + first.alreadyApplied >= 1);
      await db.withPlatform(async (tx) => {
        await tx
          .insertInto('tenants')
          .values([
            {
              tenant_id: t1,
              slug: `t1-${t1.slice(0, 8)}`,
              display_name: 'Tenant One',
              entra_tenant_id: null,
            },
            {
              tenant_id: t2,
              slug: `t2-${t2.slice(0, 8)}`,
              display_name: 'Tenant Two',
              entra_tenant_id: null,
            },
          ])
          .execute();
      });
      for (const [tenant, value] of [
        [t1, 'one-a'],
        [t1, 'one-b'],
        [t2, 'two-a'],
      ] as const) {
        await db.withTenant(tenant, (tx) =>
          tx
            .insertInto('tenant_settings')
            .values({
              tenant_id: tenant,
              key: `k-${value}`,
              value: JSON.stringify({ value }),
              updated_at: new Date(),
            })
            .execute(),
        );
      }
    });
    after(async () => db?.close());

    test('running migrations again applies nothing and changes nothing', async () => {
      const again = await db.migrate();
      assert.deepEqual(again.applied, []);
      const rows = await db.withTenant(t1, (tx) => tx.selectFrom('tenant_settings').select('key').execute());
      assert.equal(rows.length, 2);
    });

    test('a query that forgets its tenant filter still sees only its tenant rows', async () => {
      const seenBy1 = await db.withTenant(t1, (tx) =>
        tx.selectFrom('tenant_settings').select(['tenant_id', 'key']).orderBy('key').execute(),
      );
      assert.deepEqual(
        seenBy1.map((r) => r.key),
        ['k-one-a', 'k-one-b'],
      );
      assert.ok(seenBy1.every((r) => r.tenant_id === t1));
      const tenantsSeenBy2 = await db.withTenant(t2, (tx) =>
        tx.selectFrom('tenants').select('tenant_id').execute(),
      );
      assert.deepEqual(
        tenantsSeenBy2.map((r) => r.tenant_id),
        [t2],
      );
    });

    test('updates and deletes without a tenant filter touch only the tenant rows', async () => {
      await db.withTenant(t2, (tx) =>
        tx
          .updateTable('tenant_settings')
          .set({ value: JSON.stringify({ touched: true }) })
          .execute(),
      );
      const t1Rows = await db.withTenant(t1, (tx) =>
        tx.selectFrom('tenant_settings').select('value').execute(),
      );
      assert.ok(t1Rows.every((r) => !(r.value as { touched?: boolean }).touched));
    });

    test('writing a row for another tenant is refused', async () => {
      await assert.rejects(
        db.withTenant(t1, (tx) =>
          tx
            .insertInto('tenant_settings')
            .values({ tenant_id: t2, key: 'sneaky', value: '{}', updated_at: new Date() })
            .execute(),
        ),
        /row-level security|violates/i,
      );
      const t2Keys = await db.withTenant(t2, (tx) =>
        tx.selectFrom('tenant_settings').select('key').execute(),
      );
      assert.ok(!t2Keys.some((r) => r.key === 'sneaky'));
    });

    test('without a tenant, a query sees no tenant rows at all', async () => {
      const rows = await db.app
        .transaction()
        .execute((tx) => tx.selectFrom('tenant_settings').selectAll().execute());
      assert.equal(rows.length, 0);
    });

    test('the tenant does not outlive its transaction on a pooled connection', async () => {
      await db.withTenant(t1, (tx) => tx.selectFrom('tenant_settings').selectAll().execute());
      const { rows } = await sql<{
        t: string | null;
      }>`select nullif(current_setting('app.tenant_id', true), '') as t`.execute(db.app);
      assert.equal(rows[0]?.t ?? null, null);
    });

    test('concurrent transactions of different tenants stay apart', async () => {
      const runs = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? t1 : t2));
      const results = await Promise.all(
        runs.map((tenant) =>
          db.withTenant(tenant, async (tx) => {
            const rows = await tx.selectFrom('tenant_settings').select('tenant_id').execute();
            await new Promise((r) => setTimeout(r, 5));
            const again = await tx.selectFrom('tenant_settings').select('tenant_id').execute();
            return [...rows, ...again].every((r) => r.tenant_id === tenant);
          }),
        ),
      );
      assert.ok(results.every(Boolean));
    });

    test('a malformed tenant id is refused before any query', async () => {
      await assert.rejects(
        db.withTenant("' or 1=1 --", async () => 1),
        (e: unknown) => e instanceof AppError && e.code === 'tenant_required',
      );
    });

    test('the application role is neither superuser, BYPASSRLS nor owner', async () => {
      const { role } = await db.assertSafeRole();
      assert.equal(role, 'trellis_app');
    });

    test('every table has forced row-level security on tenant_id, but the few platform-level ones', async () => {
      // Platform-level on purpose (src/db/README.md): nothing of a tenant's data in them.
      const platform = ['graph_throttle', 'graph_throttle_peers', 'schema_migrations'];
      const { rows } = await db.executeSql(`
        select c.relname as name, c.relrowsecurity and c.relforcerowsecurity as forced,
          exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id') as tenanted
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        order by 1`);
      const tables = rows as { name: string; forced: boolean; tenanted: boolean }[];
      assert.ok(tables.length > 20, `the schema's tables: ${tables.length}`);
      assert.deepEqual(
        tables.filter((t) => !t.forced).map((t) => t.name),
        platform,
        'a new table without forced row-level security must be added here on purpose',
      );
      assert.deepEqual(
        tables.filter((t) => t.forced && !t.tenanted && t.name !== 'tenants').map((t) => t.name),
        [],
        'tenant-scoped tables carry tenant_id',
      );
    });
  });
}
