import type { Caller } from '../api/caller.ts';
import { hasRole } from '../api/caller.ts';
import type { Db, Tx } from '../db/index.ts';
import type { EventBus, EventType } from '../events/index.ts';
import type { Directory } from '../graph/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { PrepareContext } from './prepare-request.ts';
import type { RequestRow, StageRow } from './request-repository.ts';
import type { ResolvedApprover, TemplatePort } from './request-types.ts';
import { isApprover } from './resolve-approvers.ts';

/** What the request operations share. */
export interface RequestDeps {
  db: Db;
  events: EventBus;
  templates: TemplatePort;
  directory: Directory;
  log: Logger;
  now: () => Date;
}

/** The tenant's directory (when it has an Entra tenant) and catalog, for one operation. */
export async function prepareContext(deps: RequestDeps, tenantId: string): Promise<PrepareContext> {
  const tenant = await deps.db.withTenant(tenantId, (tx) =>
    tx.selectFrom('tenants').select('entra_tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst(),
  );
  const entraTenantId = tenant?.entra_tenant_id ?? null;
  return {
    tenantId,
    entraTenantId,
    directory: entraTenantId ? deps.directory.forTenant(entraTenantId) : null,
    templates: deps.templates,
    now: deps.now(),
  };
}

/** Integrations and administrators see every request of the tenant. */
export function seesAllRequests(caller: Caller): boolean {
  return (
    caller.kind === 'api_token' || hasRole(caller, 'tenant_admin', 'governance_admin', 'catalog_manager')
  );
}

/** Users see what they asked for and what they are (or were) asked to approve. */
export function canSee(caller: Caller, row: RequestRow, stages: readonly StageRow[]): boolean {
  if (seesAllRequests(caller)) return true;
  if (row.requester_id.toLowerCase() === caller.id.toLowerCase() || row.created_by_id === caller.id)
    return true;
  return stages.some((s) => isApprover(s.approvers as ResolvedApprover[], personOf(caller)));
}

export function personOf(caller: Caller): { id: string; userPrincipalName?: string } {
  return caller.userPrincipalName
    ? { id: caller.id, userPrincipalName: caller.userPrincipalName }
    : { id: caller.id };
}

/** The event payload every request event carries, so subscribers rarely need to call back. */
export function requestSummary(row: RequestRow): Record<string, unknown> {
  return {
    requestId: row.request_id,
    status: row.status,
    templateId: row.template_id,
    templateSlug: row.template_slug,
    templateVersion: row.template_version,
    name: row.requested_name,
    displayName: row.names?.['displayName'] ?? null,
    requesterId: row.requester_id,
    requesterName: row.requester_name,
    currentStage: row.current_stage,
    revision: row.revision,
  };
}

/** Publishes a request event in the transaction of the change. */
export async function emit(
  deps: RequestDeps,
  tx: Tx,
  tenantId: string,
  type: EventType,
  row: RequestRow,
  actor: { type: 'user' | 'api_token' | 'system'; id: string },
  extra: Record<string, unknown> = {},
): Promise<void> {
  await deps.events.publish(tx, tenantId, {
    type,
    subject: { type: 'request', id: row.request_id },
    actor,
    data: { ...requestSummary(row), ...extra },
  });
}
