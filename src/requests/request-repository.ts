import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { ActivityKind, Tx } from '../db/index.ts';
import type { RequestActivityTable, RequestStagesTable, RequestsTable } from '../db/tables/requests.ts';
import { errors } from '../errors/index.ts';
import type { ActivityView, FieldChange, RequestView, ResolvedApprover, StageView } from './request-types.ts';

export type RequestRow = Selectable<RequestsTable>;
export type StageRow = Selectable<RequestStagesTable>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Loads a request and its stages, locking the request row for the rest of the transaction. */
export async function loadForUpdate(
  tx: Tx,
  requestId: string,
): Promise<{ row: RequestRow; stages: StageRow[] }> {
  const row = await tx
    .selectFrom('requests')
    .selectAll()
    .where('request_id', '=', requestId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw errors.notFound(`Request ${requestId}`);
  return { row, stages: await loadStages(tx, requestId) };
}

export async function loadStages(tx: Tx, requestId: string): Promise<StageRow[]> {
  return tx
    .selectFrom('request_stages')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('stage')
    .execute();
}

/** The stages of several requests in one query (listings), by request id. */
export async function loadStagesOf(tx: Tx, requestIds: readonly string[]): Promise<Map<string, StageRow[]>> {
  const out = new Map<string, StageRow[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return out;
  const rows = await tx
    .selectFrom('request_stages')
    .selectAll()
    .where('request_id', 'in', [...requestIds])
    .orderBy('request_id')
    .orderBy('stage')
    .execute();
  for (const row of rows) out.get(row.request_id)?.push(row);
  return out;
}

export function stageView(row: StageRow): StageView {
  return {
    stage: row.stage,
    name: row.name,
    status: row.status,
    allowEdit: row.allow_edit,
    approvers: row.approvers as ResolvedApprover[],
    openedAt: iso(row.opened_at),
    decidedAt: iso(row.decided_at),
    decidedBy:
      row.decided_by_type && row.decided_by_id
        ? { type: row.decided_by_type, id: row.decided_by_id, name: row.decided_by_name }
        : null,
    comment: row.comment,
    remindersSent: row.reminders_sent,
  };
}

export function requestView(row: RequestRow, stages: readonly StageRow[]): RequestView {
  return {
    requestId: row.request_id,
    status: row.status,
    template: { templateId: row.template_id, slug: row.template_slug, version: row.template_version },
    requester: { id: row.requester_id, name: row.requester_name },
    createdBy: { type: row.created_by_type, id: row.created_by_id },
    name: row.requested_name,
    description: row.description,
    welcomeMessage: row.welcome_message,
    metadata: row.metadata,
    owners: row.owners,
    members: row.members,
    names: row.names,
    currentStage: row.current_stage,
    stages: stages.map(stageView),
    revision: row.revision,
    submittedAt: iso(row.submitted_at),
    decidedAt: iso(row.decided_at),
    expiresAt: iso(row.expires_at),
    closedReason: row.closed_reason,
    teamId: row.team_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function activityView(row: Selectable<RequestActivityTable>): ActivityView {
  return {
    activityId: row.activity_id,
    at: new Date(row.at).toISOString(),
    kind: row.kind,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    stage: row.stage,
    body: row.body,
    diff: (row.diff as { changes: FieldChange[] } | null) ?? null,
    fromStatus: row.from_status,
    toStatus: row.to_status,
  };
}

/** Appends to the request's timeline. */
export async function addActivity(
  tx: Tx,
  tenantId: string,
  requestId: string,
  entry: {
    kind: ActivityKind;
    actor: { type: 'user' | 'api_token' | 'system'; id: string; name?: string | null | undefined };
    stage?: number | null;
    body?: string | null;
    diff?: { changes: FieldChange[] } | null;
    fromStatus?: string | null;
    toStatus?: string | null;
  },
): Promise<void> {
  await tx
    .insertInto('request_activity')
    .values({
      tenant_id: tenantId,
      request_id: requestId,
      activity_id: randomUUID(),
      kind: entry.kind,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name ?? null,
      stage: entry.stage ?? null,
      body: entry.body ?? null,
      diff: entry.diff ? JSON.stringify(entry.diff) : null,
      from_status: entry.fromStatus ?? null,
      to_status: entry.toStatus ?? null,
    })
    .execute();
}

/** The editable fields of a stored request. */
export function editableOf(row: RequestRow) {
  return {
    name: row.requested_name,
    description: row.description,
    welcomeMessage: row.welcome_message,
    metadata: row.metadata,
    owners: row.owners,
    members: row.members,
  };
}

/** Writes re-validated fields (and bumps the revision). */
export async function writeFields(
  tx: Tx,
  requestId: string,
  fields: {
    name: string;
    description: string | null;
    welcomeMessage: string | null;
    metadata: Record<string, unknown>;
    owners: string[];
    members: string[];
    names: Record<string, string>;
  },
  now: Date,
  bump = true,
): Promise<RequestRow> {
  return tx
    .updateTable('requests')
    .set({
      requested_name: fields.name,
      description: fields.description,
      welcome_message: fields.welcomeMessage,
      metadata: JSON.stringify(fields.metadata),
      owners: fields.owners,
      members: fields.members,
      names: JSON.stringify(fields.names),
      updated_at: now,
      ...(bump ? { revision: sql<number>`revision + 1` } : {}),
    })
    .where('request_id', '=', requestId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
