import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { TenantState } from '../../state/types.ts';
import { graphUrl } from '../http/binds.ts';
import { graphErrors } from '../http/errors.ts';
import { type Ids, plannerId } from '../http/ids.ts';
import type { BucketRecord, GraphState, PlanRecord, TaskRecord } from '../state.ts';

export type Actor = { kind: 'user' | 'application'; id: string };

/** category1 … category25, as plannerCategoryDescriptions has them. */
export const CATEGORIES = Array.from({ length: 25 }, (_, i) => `category${i + 1}`);

/** Planner's weak etag for one version of an object: `W/"…"`, changing on every update. */
export function etag(kind: string, id: string, version: number): string {
  return `W/"${Buffer.from(`'${version}-${kind}-${id}'`).toString('base64')}"`;
}

/**
 * Checks an If-Match header against the current etag (Planner requires one on every PATCH).
 * @throws GraphError(400) when missing, GraphError(412) when stale.
 */
export function checkIfMatch(header: unknown, current: string): void {
  if (typeof header !== 'string' || header.trim() === '') {
    throw graphErrors.badRequest('The If-Match header must be specified for this kind of request.');
  }
  if (header.trim() !== current) throw graphErrors.preconditionFailed();
}

function identity(actor: Actor): MicrosoftGraph.IdentitySet {
  return actor.kind === 'user'
    ? { user: { id: actor.id, displayName: null } }
    : { application: { id: actor.id, displayName: null } };
}

/** Orders after everything given (hints compare as strings, as Planner's do). */
export function nextOrderHint(existing: readonly string[]): string {
  const top = [...existing, '8585000000000000000'].sort().at(-1) ?? '8585000000000000000';
  const next = BigInt(top.replace(/\D/g, '').slice(0, 19) || '8585000000000000000') + 1_000_000n;
  return next.toString();
}

/** A plan in a group (Planner containers of type `group`). */
export function createPlan(
  graph: GraphState,
  groupId: string,
  title: string,
  by: Actor,
  ids: Ids,
  now: Date,
): PlanRecord {
  const plan: PlanRecord = {
    id: plannerId(ids),
    groupId,
    title,
    createdDateTime: now.toISOString(),
    createdBy: by,
    version: 1,
    details: {
      categoryDescriptions: Object.fromEntries(CATEGORIES.map((c) => [c, null])),
      sharedWith: {},
      version: 1,
    },
  };
  graph.plans.push(plan);
  return plan;
}

export function createBucket(graph: GraphState, plan: PlanRecord, name: string, ids: Ids): BucketRecord {
  const bucket: BucketRecord = {
    id: plannerId(ids),
    planId: plan.id,
    name,
    orderHint: nextOrderHint(graph.buckets.filter((b) => b.planId === plan.id).map((b) => b.orderHint)),
    version: 1,
  };
  graph.buckets.push(bucket);
  return bucket;
}

export function createTask(
  graph: GraphState,
  plan: PlanRecord,
  input: Pick<
    TaskRecord,
    | 'title'
    | 'bucketId'
    | 'appliedCategories'
    | 'percentComplete'
    | 'priority'
    | 'startDateTime'
    | 'dueDateTime'
  > & {
    assigneeIds: string[];
  },
  by: Actor,
  ids: Ids,
  now: Date,
): TaskRecord {
  const stamp = now.toISOString();
  const task: TaskRecord = {
    id: plannerId(ids),
    planId: plan.id,
    bucketId: input.bucketId,
    title: input.title,
    orderHint: nextOrderHint(graph.tasks.filter((t) => t.planId === plan.id).map((t) => t.orderHint)),
    percentComplete: input.percentComplete,
    priority: input.priority,
    startDateTime: input.startDateTime,
    dueDateTime: input.dueDateTime,
    createdDateTime: stamp,
    completedDateTime: input.percentComplete === 100 ? stamp : null,
    createdBy: by,
    appliedCategories: { ...input.appliedCategories },
    assignments: Object.fromEntries(
      input.assigneeIds.map((id) => [
        id,
        { assignedDateTime: stamp, orderHint: '8585000000000000000', assignedBy: by.id },
      ]),
    ),
    version: 1,
    details: { description: '', previewType: 'automatic', checklist: {}, references: {}, version: 1 },
  };
  graph.tasks.push(task);
  return task;
}

/** @throws GraphError(404) */
export function requirePlan(graph: GraphState, id: string): PlanRecord {
  const plan = graph.plans.find((p) => p.id === id);
  if (!plan) throw graphErrors.notFound('The requested item is not found.');
  return plan;
}

/** @throws GraphError(404) */
export function requireBucket(graph: GraphState, id: string): BucketRecord {
  const bucket = graph.buckets.find((b) => b.id === id);
  if (!bucket) throw graphErrors.notFound('The requested item is not found.');
  return bucket;
}

/** @throws GraphError(404) */
export function requireTask(graph: GraphState, id: string): TaskRecord {
  const task = graph.tasks.find((t) => t.id === id);
  if (!task) throw graphErrors.notFound('The requested item is not found.');
  return task;
}

export function planShape(plan: PlanRecord): MicrosoftGraph.PlannerPlan & Record<string, unknown> {
  return {
    '@odata.etag': etag('plan', plan.id, plan.version),
    id: plan.id,
    title: plan.title,
    createdDateTime: plan.createdDateTime,
    owner: plan.groupId,
    createdBy: identity(plan.createdBy),
    container: { containerId: plan.groupId, type: 'group', url: graphUrl(`groups/${plan.groupId}`) },
  } satisfies MicrosoftGraph.PlannerPlan & { '@odata.etag': string };
}

export function planDetailsShape(
  plan: PlanRecord,
): MicrosoftGraph.PlannerPlanDetails & Record<string, unknown> {
  return {
    '@odata.etag': etag('plandetails', plan.id, plan.details.version),
    id: plan.id,
    sharedWith: { ...plan.details.sharedWith },
    categoryDescriptions: { ...plan.details.categoryDescriptions },
  } satisfies MicrosoftGraph.PlannerPlanDetails & { '@odata.etag': string };
}

export function bucketShape(bucket: BucketRecord): MicrosoftGraph.PlannerBucket & Record<string, unknown> {
  return {
    '@odata.etag': etag('bucket', bucket.id, bucket.version),
    id: bucket.id,
    name: bucket.name,
    planId: bucket.planId,
    orderHint: bucket.orderHint,
  } satisfies MicrosoftGraph.PlannerBucket & { '@odata.etag': string };
}

export function taskShape(task: TaskRecord): MicrosoftGraph.PlannerTask & Record<string, unknown> {
  const items = Object.values(task.details.checklist);
  return {
    '@odata.etag': etag('task', task.id, task.version),
    id: task.id,
    planId: task.planId,
    bucketId: task.bucketId,
    title: task.title,
    orderHint: task.orderHint,
    assigneePriority: '',
    percentComplete: task.percentComplete,
    priority: task.priority,
    startDateTime: task.startDateTime,
    createdDateTime: task.createdDateTime,
    dueDateTime: task.dueDateTime,
    hasDescription: task.details.description !== '',
    previewType: 'automatic',
    completedDateTime: task.completedDateTime,
    completedBy: null,
    referenceCount: Object.keys(task.details.references).length,
    checklistItemCount: items.length,
    activeChecklistItemCount: items.filter((i) => !i.isChecked).length,
    conversationThreadId: null,
    createdBy: identity(task.createdBy),
    appliedCategories: { ...task.appliedCategories },
    assignments: Object.fromEntries(
      Object.entries(task.assignments).map(([userId, a]) => [
        userId,
        {
          '@odata.type': '#microsoft.graph.plannerAssignment',
          assignedDateTime: a.assignedDateTime,
          orderHint: a.orderHint,
          assignedBy: { user: { id: a.assignedBy, displayName: null } },
        },
      ]),
    ),
  } satisfies MicrosoftGraph.PlannerTask & { '@odata.etag': string };
}

export function taskDetailsShape(
  task: TaskRecord,
): MicrosoftGraph.PlannerTaskDetails & Record<string, unknown> {
  return {
    '@odata.etag': etag('taskdetails', task.id, task.details.version),
    id: task.id,
    description: task.details.description,
    previewType: task.details.previewType as MicrosoftGraph.PlannerPreviewType,
    references: { ...task.details.references },
    checklist: Object.fromEntries(
      Object.entries(task.details.checklist).map(([id, item]) => [
        id,
        {
          '@odata.type': '#microsoft.graph.plannerChecklistItem',
          isChecked: item.isChecked,
          title: item.title,
          orderHint: item.orderHint,
          lastModifiedDateTime: item.lastModifiedDateTime,
          lastModifiedBy: { user: { id: item.lastModifiedBy, displayName: null } },
        },
      ]),
    ),
  } satisfies MicrosoftGraph.PlannerTaskDetails & { '@odata.etag': string };
}

/**
 * Applies a task details PATCH (description, previewType, checklist and references; a null value removes
 * an entry, a partial one updates it).
 * @throws GraphError(400) on malformed input.
 */
export function patchTaskDetails(
  task: TaskRecord,
  body: Record<string, unknown>,
  by: Actor,
  now: Date,
): void {
  const stamp = now.toISOString();
  for (const key of Object.keys(body)) {
    if (!['description', 'previewType', 'checklist', 'references', '@odata.etag'].includes(key)) {
      throw graphErrors.badRequest(
        `The property '${key}' does not exist on type 'microsoft.graph.plannerTaskDetails'.`,
      );
    }
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw graphErrors.badRequest("'description' must be a string.");
    task.details.description = body.description;
  }
  if (body.previewType !== undefined) {
    if (
      !['automatic', 'noPreview', 'checklist', 'description', 'reference'].includes(String(body.previewType))
    ) {
      throw graphErrors.badRequest(`Invalid previewType '${String(body.previewType)}'.`);
    }
    task.details.previewType = String(body.previewType);
  }
  if (body.checklist !== undefined) {
    if (body.checklist === null || typeof body.checklist !== 'object')
      throw graphErrors.badRequest("'checklist' must be an object.");
    for (const [id, value] of Object.entries(body.checklist as Record<string, unknown>)) {
      if (value === null) {
        delete task.details.checklist[id];
        continue;
      }
      if (typeof value !== 'object') throw graphErrors.badRequest(`Invalid checklist item '${id}'.`);
      const v = value as Record<string, unknown>;
      const existing = task.details.checklist[id];
      if (!existing && (typeof v.title !== 'string' || v.title === '')) {
        throw graphErrors.badRequest(`Checklist item '${id}' needs a title.`);
      }
      const orderHints = Object.values(task.details.checklist).map((i) => i.orderHint);
      task.details.checklist[id] = {
        title: typeof v.title === 'string' ? v.title : (existing?.title ?? ''),
        isChecked: typeof v.isChecked === 'boolean' ? v.isChecked : (existing?.isChecked ?? false),
        orderHint: existing?.orderHint ?? nextOrderHint(orderHints),
        lastModifiedDateTime: stamp,
        lastModifiedBy: by.id,
      };
    }
    if (Object.keys(task.details.checklist).length > 20) {
      throw graphErrors.badRequest('A task can have at most 20 checklist items.');
    }
  }
  if (body.references !== undefined) {
    if (body.references === null || typeof body.references !== 'object')
      throw graphErrors.badRequest("'references' must be an object.");
    for (const [url, value] of Object.entries(body.references as Record<string, unknown>)) {
      if (value === null) delete task.details.references[url];
      else if (typeof value === 'object')
        task.details.references[url] = { ...(value as Record<string, unknown>), lastModifiedDateTime: stamp };
    }
  }
  task.details.version++;
  // The task's counts (checklist items, references) change with its details.
  task.version++;
}

/** Plans, buckets and tasks of a group, removed with it. */
export function deleteGroupPlans(graph: GraphState, groupId: string): void {
  const planIds = new Set(graph.plans.filter((p) => p.groupId === groupId).map((p) => p.id));
  graph.plans = graph.plans.filter((p) => !planIds.has(p.id));
  graph.buckets = graph.buckets.filter((b) => !planIds.has(b.planId));
  graph.tasks = graph.tasks.filter((t) => !planIds.has(t.planId));
}

/** Whether the tenant's user (delegated caller) may use the group's plans: Planner requires membership. */
export function canUsePlansOf(tenant: TenantState, groupId: string, userId: string | undefined): boolean {
  if (!userId) return true;
  const group = tenant.directory.groups.find((g) => g.id === groupId);
  return !!group && (group.memberIds.includes(userId) || group.ownerIds.includes(userId));
}
