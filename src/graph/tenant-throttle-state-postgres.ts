import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { TenantThrottle, TenantThrottleState, ThrottleView } from './tenant-throttle-state.ts';

/** A primary-key read of one row: a busy tenant's view is at most this old. */
const REFRESH_MS = 200;
/** A process marks itself alive for a tenant this often while it reads … */
const BEAT_MS = 2_000;

/**
 * The throttle state in PostgreSQL, for several processes without Redis (migration 0011): one row per
 * Entra tenant in `graph_throttle` (the pause deadline and the decrease epoch, both only ever raised, in
 * the database's clock, so the processes' clocks do not matter) and one row per process and tenant in
 * `graph_throttle_peers` (its last heartbeat). A refresh reads the tenant's row by primary key; every
 * 2 s it also upserts this process's heartbeat and counts the peers seen in the last 6 s.
 */
export function createPostgresThrottleState(options: {
  db: Db;
  /** This process among the peers (a new id by default). */
  processId?: string;
  refreshMs?: number;
  /** How often the heartbeat is written and the peers counted (ms; tests count at every read). */
  beatMs?: number;
}): TenantThrottleState {
  const { db } = options;
  const processId = options.processId ?? randomUUID();
  const beatMs = options.beatMs ?? BEAT_MS;
  // The state's queries are background work, not part of the request that happened to start them: they
  // run in the context this state was created in (start-up), so they add no spans to a request's trace.
  const background = new AsyncResource('TrellisGraphThrottle');
  return {
    kind: 'postgres',
    tenant(entraTenantId): TenantThrottle {
      const tenant = entraTenantId.toLowerCase();
      let beatAt = Number.NEGATIVE_INFINITY;
      let peers = 1;

      const read = async (): Promise<ThrottleView> => {
        const started = Date.now();
        const [state, beat] = await Promise.all([
          sql<{ pause_ms: number; epoch: number }>`
            select greatest(0, extract(epoch from paused_until - now()) * 1000)::float8 as pause_ms,
              decrease_epoch as epoch
            from graph_throttle where entra_tenant_id = ${tenant}`.execute(db.app),
          started - beatAt < beatMs
            ? undefined
            : sql<{ others: number }>`
                with beat as (
                  insert into graph_throttle_peers (entra_tenant_id, process_id)
                  values (${tenant}, ${processId})
                  on conflict (entra_tenant_id, process_id) do update set seen_at = now()
                ), gone as (
                  delete from graph_throttle_peers
                  where entra_tenant_id = ${tenant} and process_id <> ${processId}
                    and seen_at < now() - interval '1 minute'
                )
                select count(*)::int as others from graph_throttle_peers
                where entra_tenant_id = ${tenant} and process_id <> ${processId}
                  and seen_at > now() - interval '6 seconds'`.execute(db.app),
        ]);
        if (beat) {
          beatAt = started;
          peers = 1 + (beat.rows[0]?.others ?? 0);
        }
        const row = state.rows[0];
        return { pauseMs: row?.pause_ms ?? 0, epoch: row?.epoch ?? 0, peers };
      };

      const publish: TenantThrottle['publish'] = async ({ pauseMs, decrease, knownEpoch }) => {
        const epoch = decrease ? knownEpoch + 1 : 0;
        const { rows } = await sql<{ epoch: number }>`
          insert into graph_throttle as t (entra_tenant_id, paused_until, decrease_epoch)
          values (${tenant}, now() + ${pauseMs}::float8 * interval '1 millisecond', ${epoch}::int)
          on conflict (entra_tenant_id) do update set
            paused_until = greatest(t.paused_until, excluded.paused_until),
            decrease_epoch = greatest(t.decrease_epoch, excluded.decrease_epoch),
            updated_at = now()
          returning decrease_epoch as epoch`.execute(db.app);
        return rows[0]?.epoch ?? 0;
      };

      return {
        refreshMs: options.refreshMs ?? REFRESH_MS,
        read: () => background.runInAsyncScope(read),
        publish: (throttle) => background.runInAsyncScope(publish, undefined, throttle),
      };
    },
  };
}
