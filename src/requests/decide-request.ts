import { sql } from 'kysely';
import type { Caller } from '../api/caller.ts';
import { auditActorOf, hasRole } from '../api/caller.ts';
import { recordAudit } from '../audit/index.ts';
import { errors } from '../errors/index.ts';
import { applyEdits, diffRequest } from './diff-request.ts';
import {
  type PrepareContext,
  prepareFields,
  type Requester,
  resolveStage,
  type TemplateRef,
} from './prepare-request.ts';
import { emit, personOf, type RequestDeps } from './request-context.ts';
import {
  addActivity,
  editableOf,
  loadForUpdate,
  type RequestRow,
  type StageRow,
  writeFields,
} from './request-repository.ts';
import type { ChangeOptions, FieldChange, RequestEdits, ResolvedApprover } from './request-types.ts';
import { isApprover } from './resolve-approvers.ts';

export interface Decision {
  outcome: 'approved' | 'rejected';
  comment?: string | undefined;
  edits?: RequestEdits | undefined;
  /** The stage the decider saw; refused when the request has moved on. */
  stage?: number | undefined;
}

/** What re-validating a stored request needs: the directory, its template version, its requester. */
export interface StoredContext {
  context: PrepareContext;
  template: TemplateRef;
  requester: Requester;
}

/**
 * Approves or rejects the current stage. Any approver of the stage decides for it; an approver of
 * a stage that allows edits may change the request in the same step (recorded with a diff). The
 * last approval moves the request to approved; a rejection ends it.
 * @throws AppError forbidden (not an approver, own request, edits not allowed), conflict (moved on).
 */
export async function decideRequest(
  deps: RequestDeps,
  caller: Caller,
  found: { row: RequestRow; stages: StageRow[] },
  decision: Decision,
  options: ChangeOptions,
  contextOf: (row: RequestRow) => Promise<StoredContext>,
): Promise<void> {
  const { row, stages } = found;
  if (row.status !== 'pending_approval' || row.current_stage === null) {
    throw errors.conflict(`This request is ${row.status}; there is nothing to decide`);
  }
  const stageIndex = row.current_stage;
  const stage = stages.find((s) => s.stage === stageIndex);
  if (!stage || stage.status !== 'pending') throw errors.conflict('The current approval stage is not open');
  if (decision.stage !== undefined && decision.stage !== stageIndex) {
    throw errors.conflict(`Stage ${decision.stage} is no longer the open stage (stage ${stageIndex} is)`);
  }
  if (options.expectedRevision !== undefined && options.expectedRevision !== row.revision) {
    throw errors.conflict(`The request changed (revision ${row.revision}); reload it before deciding`);
  }
  let override = false;
  if (caller.kind === 'user') {
    // Separation of duties: nobody approves their own request, whatever their roles.
    if (row.requester_id.toLowerCase() === caller.id.toLowerCase()) {
      throw errors.forbidden('You cannot decide on your own request');
    }
    if (!isApprover(stage.approvers as ResolvedApprover[], personOf(caller))) {
      if (!hasRole(caller, 'tenant_admin')) throw errors.forbidden('You are not an approver of this stage');
      override = true;
    }
  }

  // Loaded only when an edit or the next stage needs the directory and the template.
  let stored: StoredContext | undefined;
  const needContext = async () => (stored ??= await contextOf(row));

  let edited: { fields: Awaited<ReturnType<typeof prepareFields>>; changes: FieldChange[] } | undefined;
  const edits = decision.edits;
  if (edits && Object.keys(edits).length > 0) {
    if (decision.outcome !== 'approved')
      throw errors.validation('Edits are made when approving, not rejecting');
    if (!stage.allow_edit) throw errors.forbidden('Approvers of this stage may not edit the request');
    const c = await needContext();
    const current = editableOf(row);
    const fields = await prepareFields(c.context, c.template, c.requester, applyEdits(current, edits));
    const changes = diffRequest(current, fields);
    if (changes.length > 0) edited = { fields, changes };
  }
  const metadata = edited?.fields.metadata ?? row.metadata;
  const nextIndex = stageIndex + 1;
  let nextApprovers: ResolvedApprover[] | null = null;
  if (decision.outcome === 'approved' && nextIndex < row.stage_count) {
    const c = await needContext();
    nextApprovers = await resolveStage(c.context, c.template, c.requester, nextIndex, metadata);
  }

  const actor = auditActorOf(caller);
  const now = deps.now();
  const comment = decision.comment?.trim() ? decision.comment.trim() : null;
  await deps.db.withTenant(caller.tenantId, async (tx) => {
    const locked = await loadForUpdate(tx, row.request_id);
    // Someone else decided or edited meanwhile: the decision was made on a stale view.
    if (locked.row.revision !== row.revision || locked.row.current_stage !== stageIndex) {
      throw errors.conflict('The request changed while you were deciding; reload it');
    }
    if (edited) {
      const current = await writeFields(tx, row.request_id, edited.fields, now);
      await addActivity(tx, caller.tenantId, row.request_id, {
        kind: 'edited',
        actor,
        stage: stageIndex,
        diff: { changes: edited.changes },
      });
      await recordAudit(tx, caller.tenantId, {
        actor,
        action: 'request.edited',
        target: { type: 'request', id: row.request_id },
        before: Object.fromEntries(edited.changes.map((c) => [c.field, c.before])),
        after: Object.fromEntries(edited.changes.map((c) => [c.field, c.after])),
        source: options.source,
      });
      await emit(deps, tx, caller.tenantId, 'request.updated', current, actor, {
        changes: edited.changes,
        byApprover: true,
      });
    }
    await tx
      .updateTable('request_stages')
      .set({
        status: decision.outcome,
        decided_at: now,
        decided_by_type: caller.kind,
        decided_by_id: caller.id,
        decided_by_name: caller.displayName,
        comment,
      })
      .where('request_id', '=', row.request_id)
      .where('stage', '=', stageIndex)
      .execute();
    await addActivity(tx, caller.tenantId, row.request_id, {
      kind: decision.outcome,
      actor,
      stage: stageIndex,
      body: comment,
    });
    await recordAudit(tx, caller.tenantId, {
      actor,
      action: decision.outcome === 'approved' ? 'approval.approved' : 'approval.rejected',
      target: { type: 'request', id: row.request_id },
      after: { stage: stageIndex, comment, override },
      source: options.source,
    });
    const stageData = { stage: stageIndex, stageName: stage.name, comment, override };
    if (decision.outcome === 'rejected') {
      const updated = await tx
        .updateTable('requests')
        .set({ status: 'rejected', decided_at: now, updated_at: now, revision: sql`revision + 1` })
        .where('request_id', '=', row.request_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('request_stages')
        .set({ status: 'cancelled' })
        .where('request_id', '=', row.request_id)
        .where('status', '=', 'waiting')
        .execute();
      await addActivity(tx, caller.tenantId, row.request_id, {
        kind: 'transitioned',
        actor,
        fromStatus: 'pending_approval',
        toStatus: 'rejected',
      });
      await emit(deps, tx, caller.tenantId, 'approval.rejected', updated, actor, stageData);
      await emit(deps, tx, caller.tenantId, 'request.rejected', updated, actor, stageData);
      return;
    }
    if (nextApprovers) {
      const updated = await tx
        .updateTable('requests')
        .set({ current_stage: nextIndex, updated_at: now, revision: sql`revision + 1` })
        .where('request_id', '=', row.request_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('request_stages')
        .set({ status: 'pending', approvers: JSON.stringify(nextApprovers), opened_at: now })
        .where('request_id', '=', row.request_id)
        .where('stage', '=', nextIndex)
        .execute();
      await addActivity(tx, caller.tenantId, row.request_id, {
        kind: 'stage_opened',
        actor: { type: 'system', id: 'trellis' },
        stage: nextIndex,
      });
      await emit(deps, tx, caller.tenantId, 'approval.approved', updated, actor, stageData);
      const next = await tx
        .selectFrom('request_stages')
        .select('name')
        .where('request_id', '=', row.request_id)
        .where('stage', '=', nextIndex)
        .executeTakeFirstOrThrow();
      await emit(
        deps,
        tx,
        caller.tenantId,
        'approval.requested',
        updated,
        { type: 'system', id: 'trellis' },
        {
          stage: nextIndex,
          stageName: next.name,
          approvers: nextApprovers,
          reminder: false,
        },
      );
      return;
    }
    const updated = await tx
      .updateTable('requests')
      .set({
        status: 'approved',
        current_stage: null,
        decided_at: now,
        updated_at: now,
        revision: sql`revision + 1`,
      })
      .where('request_id', '=', row.request_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await addActivity(tx, caller.tenantId, row.request_id, {
      kind: 'transitioned',
      actor,
      fromStatus: 'pending_approval',
      toStatus: 'approved',
    });
    await recordAudit(tx, caller.tenantId, {
      actor,
      action: 'request.approved',
      target: { type: 'request', id: row.request_id },
      before: { status: 'pending_approval' },
      after: { status: 'approved' },
      source: options.source,
    });
    await emit(deps, tx, caller.tenantId, 'approval.approved', updated, actor, stageData);
    await emit(deps, tx, caller.tenantId, 'request.approved', updated, actor, stageData);
  });
}
