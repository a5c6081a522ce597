import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { emit, type RequestDeps } from './request-context.ts';
import { addActivity } from './request-repository.ts';

export interface SweepReport {
  reminded: number;
  expired: number;
}

const SYSTEM = { type: 'system' as const, id: 'trellis' };
/** A stage is reminded at most this many times; after that only expiry moves it. */
const MAX_REMINDERS = 10;

/**
 * Reminds approvers of stages that waited longer than the template's reminder interval (once per
 * interval) and expires requests past their expiry date. Safe to run concurrently and repeatedly:
 * each change re-checks its condition under a row lock.
 */
export async function sweepRequests(deps: RequestDeps, now: Date): Promise<SweepReport> {
  const report: SweepReport = { reminded: 0, expired: 0 };
  // The only cross-tenant read: which tenants have requests waiting at all.
  const tenants = await deps.db.withPlatform((tx) =>
    tx
      .selectFrom('requests')
      .select('tenant_id')
      .distinct()
      .where('status', '=', 'pending_approval')
      .execute(),
  );
  for (const { tenant_id: tenantId } of tenants) {
    await deps.db.withTenant(tenantId, async (tx) => {
      const expired = await tx
        .selectFrom('requests')
        .selectAll()
        .where('status', '=', 'pending_approval')
        .where('expires_at', '<=', now)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of expired) {
        const updated = await tx
          .updateTable('requests')
          .set({
            status: 'expired',
            closed_reason: 'No decision before the expiry date',
            decided_at: now,
            updated_at: now,
            revision: sql`revision + 1`,
          })
          .where('request_id', '=', row.request_id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx
          .updateTable('request_stages')
          .set({ status: 'expired' })
          .where('request_id', '=', row.request_id)
          .where('status', 'in', ['pending', 'waiting'])
          .execute();
        await addActivity(tx, tenantId, row.request_id, {
          kind: 'expired',
          actor: SYSTEM,
          fromStatus: 'pending_approval',
          toStatus: 'expired',
        });
        await recordAudit(tx, tenantId, {
          actor: SYSTEM,
          action: 'request.expired',
          target: { type: 'request', id: row.request_id },
          before: { status: 'pending_approval' },
          after: { status: 'expired' },
        });
        await emit(deps, tx, tenantId, 'request.expired', updated, SYSTEM);
        report.expired++;
      }

      const due = await tx
        .selectFrom('requests as r')
        .innerJoin('request_stages as s', (join) =>
          join.onRef('s.request_id', '=', 'r.request_id').onRef('s.stage', '=', 'r.current_stage'),
        )
        .selectAll('r')
        .select([
          's.stage as stage_index',
          's.name as stage_name',
          's.approvers as stage_approvers',
          's.reminders_sent',
        ])
        .where('r.status', '=', 'pending_approval')
        .where('s.status', '=', 'pending')
        .where('s.reminders_sent', '<', MAX_REMINDERS)
        .where(
          sql<boolean>`s.opened_at + make_interval(hours => coalesce(r.reminder_after_hours, 24) * (s.reminders_sent + 1)) <= ${now}`,
        )
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of due) {
        await tx
          .updateTable('request_stages')
          .set({ reminders_sent: sql`reminders_sent + 1`, last_reminder_at: now })
          .where('request_id', '=', row.request_id)
          .where('stage', '=', row.stage_index)
          .execute();
        await addActivity(tx, tenantId, row.request_id, {
          kind: 'reminded',
          actor: SYSTEM,
          stage: row.stage_index,
        });
        await emit(deps, tx, tenantId, 'approval.reminder', row, SYSTEM, {
          stage: row.stage_index,
          stageName: row.stage_name,
          approvers: row.stage_approvers,
          reminder: true,
          remindersSent: row.reminders_sent + 1,
        });
        report.reminded++;
      }
    });
  }
  if (report.expired || report.reminded) deps.log.info(report, 'request sweep');
  return report;
}
