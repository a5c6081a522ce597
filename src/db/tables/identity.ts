import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../schema.ts';

export interface UsersTable {
  tenant_id: string;
  user_id: string;
  upn: string | null;
  display_name: string | null;
  first_seen_at: Generated<Date>;
  last_seen_at: Timestamp;
}

export interface RoleAssignmentsTable {
  tenant_id: string;
  assignment_id: string;
  principal_id: string;
  role: string;
  created_by: string;
  created_at: Generated<Date>;
}

export interface GroupRoleMappingsTable {
  tenant_id: string;
  mapping_id: string;
  group_id: string;
  role: string;
  created_by: string;
  created_at: Generated<Date>;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key_hash: string;
  request_hash: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_headers: Json<Record<string, string>> | null;
  response_body: string | null;
  created_at: Generated<Date>;
  completed_at: Timestamp | null;
  expires_at: Timestamp;
}

/** Row types of the identity tables (snake_case, as in SQL). */
export interface IdentityTables {
  users: UsersTable;
  role_assignments: RoleAssignmentsTable;
  group_role_mappings: GroupRoleMappingsTable;
  idempotency_keys: IdempotencyKeysTable;
}
