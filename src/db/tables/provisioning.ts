import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../schema.ts';

export type RunStatus =
  'queued' | 'running' | 'waiting' | 'completed' | 'completed_with_drift' | 'failed' | 'cancelled';

export interface ProvisioningRunsTable {
  tenant_id: string;
  run_id: string;
  request_id: string;
  status: RunStatus;
  spec: Json<unknown> | null;
  template_id: string;
  template_version: number;
  team_id: string | null;
  current_step: string | null;
  progress: Generated<number>;
  steps: ColumnType<Record<string, unknown>, string | undefined, string>;
  attempt: Generated<number>;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  wake_at: Timestamp | null;
  cancel_requested: Generated<boolean>;
  cancel_remove_team: Generated<boolean>;
  error: Json<unknown> | null;
  conformance: Json<unknown> | null;
  conformance_rounds: Generated<number>;
  cleanup: 'kept' | 'removed' | null;
  created_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface ProvisioningObjectsTable {
  tenant_id: string;
  run_id: string;
  key: string;
  kind: string;
  graph_id: string;
  data: Json<unknown> | null;
  created_at: Generated<Date>;
}

export interface ProvisioningLogTable {
  tenant_id: string;
  log_id: Generated<string>;
  run_id: string;
  at: Generated<Date>;
  level: 'info' | 'warn' | 'error';
  step: string | null;
  message: string;
  data: Json<unknown> | null;
}

export interface ProvisioningTables {
  provisioning_runs: ProvisioningRunsTable;
  provisioning_objects: ProvisioningObjectsTable;
  provisioning_log: ProvisioningLogTable;
}
