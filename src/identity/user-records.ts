import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** last_seen_at is written at most this often per user, so sign-in stays a read. */
const SEEN_RESOLUTION_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/** Records users as they sign in: created once, profile and last_seen_at refreshed once a minute. */
export function createUserRecorder(deps: { db: Db; now?: () => number }) {
  const now = deps.now ?? Date.now;
  // This process's last write per user; the SQL guard keeps other instances to the same rate.
  const written = new Map<string, number>();
  return {
    async seen(
      tenantId: string,
      user: { userId: string; upn: string | null; displayName: string | null },
    ): Promise<void> {
      const key = `${tenantId}:${user.userId}`;
      const t = now();
      const last = written.get(key);
      if (last !== undefined && t - last < SEEN_RESOLUTION_MS) return;
      if (written.size >= MAX_REMEMBERED) written.clear();
      written.set(key, t);
      const at = new Date(t);
      await deps.db.withTenant(tenantId, (tx) =>
        tx
          .insertInto('users')
          .values({
            tenant_id: tenantId,
            user_id: user.userId,
            upn: user.upn?.slice(0, 256) ?? null,
            display_name: user.displayName?.slice(0, 256) ?? null,
            first_seen_at: at,
            last_seen_at: at,
          })
          .onConflict((oc) =>
            oc
              .columns(['tenant_id', 'user_id'])
              .doUpdateSet({
                upn: (eb) => eb.ref('excluded.upn'),
                display_name: (eb) => eb.ref('excluded.display_name'),
                last_seen_at: (eb) => eb.ref('excluded.last_seen_at'),
              })
              .where('users.last_seen_at', '<', sql<Date>`${new Date(t - SEEN_RESOLUTION_MS)}`),
          )
          .execute(),
      );
    },
  };
}
