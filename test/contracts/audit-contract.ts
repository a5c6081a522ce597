import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type AuditEvent, csvCell, exportAudit, listAudit, recordAudit } from '../../src/audit/index.ts';
import type { Db } from '../../src/db/index.ts';
import { AppError } from '../../src/errors/index.ts';

/** The audit trail's guarantees, on every database backend. */
export function auditContract(name: string, open: () => Promise<Db>): void {
  describe(`audit trail: ${name}`, () => {
    let db: Db;
    const tenant = randomUUID();
    const other = randomUUID();
    const alice = { type: 'user' as const, id: 'alice-oid', name: 'Alice' };

    before(async () => {
      db = await open();
      await db.migrate();
      await db.withPlatform((tx) =>
        tx
          .insertInto('tenants')
          .values([
            { tenant_id: tenant, slug: `a-${tenant.slice(0, 8)}`, display_name: 'A', entra_tenant_id: null },
            { tenant_id: other, slug: `b-${other.slice(0, 8)}`, display_name: 'B', entra_tenant_id: null },
          ])
          .execute(),
      );
    });
    after(async () => db?.close());

    test('events record who, what, on what, from where, before and after', async () => {
      const event = await db.withTenant(tenant, (tx) =>
        recordAudit(tx, tenant, {
          actor: alice,
          action: 'request.approved',
          target: { type: 'request', id: 'r-1' },
          before: { state: 'pending_approval' },
          after: { state: 'approved' },
          source: { ip: '203.0.113.9', userAgent: 'Teams/1.0', requestId: 'req-123' },
        }),
      );
      const page = await listAudit(db, tenant, { targetId: 'r-1' });
      assert.deepEqual(page.events, [event]);
      assert.deepEqual(event.after, { state: 'approved' });
      assert.equal(event.source.ip, '203.0.113.9');
      assert.equal(event.actor.name, 'Alice');
    });

    test('history commits and rolls back with the change it describes', async () => {
      await assert.rejects(
        db.withTenant(tenant, async (tx) => {
          await recordAudit(tx, tenant, {
            actor: alice,
            action: 'request.cancelled',
            target: { type: 'request', id: 'r-rollback' },
          });
          throw new Error('the change failed');
        }),
      );
      assert.equal((await listAudit(db, tenant, { targetId: 'r-rollback' })).events.length, 0);
    });

    test('the trail is append-only: the app role can neither update nor delete', async () => {
      await db.withTenant(tenant, (tx) =>
        recordAudit(tx, tenant, {
          actor: alice,
          action: 'template.created',
          target: { type: 'template', id: 't-1' },
        }),
      );
      await assert.rejects(
        db.withTenant(tenant, (tx) => sql`update audit_events set action = 'template.deleted'`.execute(tx)),
        /permission denied|append-only/,
      );
      await assert.rejects(
        db.withTenant(tenant, (tx) => sql`delete from audit_events`.execute(tx)),
        /permission denied|append-only/,
      );
      assert.equal((await listAudit(db, tenant, { targetId: 't-1' })).events[0]?.action, 'template.created');
    });

    test('one tenant never sees another tenant’s history', async () => {
      await db.withTenant(other, (tx) =>
        recordAudit(tx, other, {
          actor: alice,
          action: 'request.created',
          target: { type: 'request', id: 'secret-b' },
        }),
      );
      assert.equal((await listAudit(db, tenant, { targetId: 'secret-b' })).events.length, 0);
      assert.equal((await listAudit(db, other, { targetId: 'secret-b' })).events.length, 1);
    });

    test('filters by action prefix, actor and time; pages newest first without gaps or repeats', async () => {
      const t = randomUUID();
      await db.withPlatform((tx) =>
        tx
          .insertInto('tenants')
          .values({ tenant_id: t, slug: `p-${t.slice(0, 8)}`, display_name: 'P', entra_tenant_id: null })
          .execute(),
      );
      const started = new Date();
      const written: AuditEvent[] = [];
      for (let i = 0; i < 23; i++) {
        written.push(
          await db.withTenant(t, (tx) =>
            recordAudit(tx, t, {
              actor: i % 3 === 0 ? { type: 'api_token', id: 'trl_tok' } : alice,
              action: i % 2 === 0 ? 'request.created' : 'approval.granted',
              target: { type: 'request', id: `r-${i}` },
            }),
          ),
        );
      }
      const seen: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await listAudit(db, t, { limit: 5, cursor });
        seen.push(...page.events);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      // Events of the same millisecond are ordered by id: compare as sets, then check the order.
      assert.equal(seen.length, written.length);
      assert.deepEqual(new Set(seen.map((e) => e.eventId)), new Set(written.map((e) => e.eventId)));
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1] as AuditEvent, seen[i] as AuditEvent];
        assert.ok(
          a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.eventId > b.eventId),
          'newest first',
        );
      }
      const requests = await listAudit(db, t, { action: 'request.*', limit: 500 });
      assert.equal(requests.events.length, 12);
      const byToken = await listAudit(db, t, { actorId: 'trl_tok', limit: 500 });
      assert.equal(byToken.events.length, 8);
      assert.equal((await listAudit(db, t, { from: new Date(Date.now() + 60_000) })).events.length, 0);
      assert.equal((await listAudit(db, t, { from: new Date(started.getTime() - 1000) })).events.length, 23);
    });

    test('bad filters and cursors are typed validation errors', async () => {
      for (const bad of [{ limit: 0 }, { limit: 501 }, { action: "x'; drop table" }, { cursor: 'bm9wZQ' }]) {
        await assert.rejects(
          listAudit(db, tenant, bad),
          (e: unknown) => e instanceof AppError && e.code === 'validation_failed',
        );
      }
      await assert.rejects(
        db.withTenant(tenant, (tx) =>
          recordAudit(tx, tenant, { actor: alice, action: 'NotDotted', target: { type: 'x', id: 'y' } }),
        ),
        AppError,
      );
    });

    test('export streams every event as CSV (formula-safe) and as JSON Lines', async () => {
      await db.withTenant(tenant, (tx) =>
        recordAudit(tx, tenant, {
          actor: { type: 'user', id: 'mallory', name: '=HYPERLINK("http://evil.example")' },
          action: 'request.created',
          target: { type: 'request', id: 'r-csv' },
          after: { name: 'Project "Falcon", phase 2\nnext line' },
        }),
      );
      let csv = '';
      for await (const chunk of exportAudit(db, tenant, { targetId: 'r-csv' }, 'csv')) csv += chunk;
      const lines = csv.split('\r\n');
      assert.match(lines[0] ?? '', /^occurred_at,event_id,actor_type,actor_id,actor_name,action/);
      assert.match(csv, /,"'=HYPERLINK\(""http:\/\/evil\.example""\)",request\.created,/);
      let jsonl = '';
      for await (const chunk of exportAudit(db, tenant, {}, 'jsonl')) jsonl += chunk;
      const all = jsonl
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEvent);
      const total = await listAudit(db, tenant, { limit: 500 });
      assert.equal(all.length, total.events.length);
      assert.equal(csvCell('-1+1'), "'-1+1");
      assert.equal(csvCell('plain'), 'plain');
    });
  });
}
