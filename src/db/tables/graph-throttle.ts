import type { Generated } from 'kysely';

/** One Microsoft 365 tenant's Graph throttling shared by every process (platform-level, no RLS). */
export interface GraphThrottleTable {
  entra_tenant_id: string;
  paused_until: Generated<Date>;
  decrease_epoch: Generated<number>;
  updated_at: Generated<Date>;
}

/** A process sending Graph requests to a tenant, with its last heartbeat. */
export interface GraphThrottlePeersTable {
  entra_tenant_id: string;
  process_id: string;
  seen_at: Generated<Date>;
}

export interface GraphThrottleTables {
  graph_throttle: GraphThrottleTable;
  graph_throttle_peers: GraphThrottlePeersTable;
}
