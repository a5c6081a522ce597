import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../schema.ts';

export type RequestStatus =
  | 'draft'
  | 'pending_approval'
  | 'approved'
  | 'provisioning'
  | 'completed'
  | 'completed_with_drift'
  | 'failed'
  | 'rejected'
  | 'cancelled'
  | 'expired';

export interface RequestsTable {
  tenant_id: string;
  request_id: string;
  template_id: string;
  template_slug: string;
  template_version: number;
  status: RequestStatus;
  created_by_type: 'user' | 'api_token';
  created_by_id: string;
  requester_id: string;
  requester_name: string | null;
  requested_name: string;
  description: string | null;
  welcome_message: string | null;
  metadata: Json<Record<string, unknown>>;
  owners: string[];
  members: string[];
  names: Json<Record<string, string>> | null;
  current_stage: number | null;
  stage_count: Generated<number>;
  revision: Generated<number>;
  submitted_at: Timestamp | null;
  decided_at: Timestamp | null;
  expires_at: Timestamp | null;
  reminder_after_hours: number | null;
  closed_reason: string | null;
  team_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type StageStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';

export interface RequestStagesTable {
  tenant_id: string;
  request_id: string;
  stage: number;
  name: string;
  allow_edit: boolean;
  approvers: Json<unknown[]>;
  status: StageStatus;
  opened_at: Timestamp | null;
  last_reminder_at: Timestamp | null;
  reminders_sent: Generated<number>;
  decided_at: Timestamp | null;
  decided_by_type: string | null;
  decided_by_id: string | null;
  decided_by_name: string | null;
  comment: string | null;
}

export type ActivityKind =
  | 'created'
  | 'submitted'
  | 'edited'
  | 'commented'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'expired'
  | 'reminded'
  | 'stage_opened'
  | 'transitioned';

export interface RequestActivityTable {
  tenant_id: string;
  request_id: string;
  at: Generated<Date>;
  activity_id: string;
  kind: ActivityKind;
  actor_type: 'user' | 'api_token' | 'system';
  actor_id: string;
  actor_name: string | null;
  stage: number | null;
  body: string | null;
  diff: Json<unknown> | null;
  from_status: string | null;
  to_status: string | null;
}

/** Row types of the request tables (snake_case, as in SQL). */
export interface RequestTables {
  requests: RequestsTable;
  request_stages: RequestStagesTable;
  request_activity: RequestActivityTable;
}
