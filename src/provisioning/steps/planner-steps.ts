import { createHash } from 'node:crypto';
import { GraphError, graphPath } from '../../graph/index.ts';
import type { SpecPlan } from '../provisioning-spec.ts';
import type { StepContext, StepDefinition } from '../step-types.ts';
import { DEFAULT_RETRY, eachLimited, ensureObject, GRAPH_ROOT, sameName, STEP_CALL } from './step-helpers.ts';

interface Plan {
  id: string;
  title: string;
}
interface Bucket {
  id: string;
  name: string;
  planId: string;
  orderHint?: string;
}
interface Task {
  id: string;
  title: string;
  bucketId: string | null;
  orderHint?: string;
}
interface Details {
  '@odata.etag'?: string;
  categoryDescriptions?: Record<string, string | null>;
  description?: string;
  checklist?: Record<string, { title: string; isChecked: boolean; orderHint?: string }>;
}

export const planKey = (plan: Pick<SpecPlan, 'title'>): string => `plan:${plan.title}`;
const bucketKey = (plan: SpecPlan, name: string) => `bucket:${plan.title}/${name}`;
const taskKey = (plan: SpecPlan, index: number) => `task:${plan.title}/${index}`;

/** A GUID derived from its inputs: the same checklist item gets the same key on every attempt. */
export function stableGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Brings a Planner details object to the wanted state: read (with its ETag), stop when it already is,
 * else PATCH with If-Match. A resent PATCH that Graph applied the first time answers 412; reading again
 * then finds the state reached. So the call is safe to repeat.
 */
async function patchDetails(
  ctx: StepContext,
  path: string,
  isDone: (d: Details) => boolean,
  body: (d: Details) => Record<string, unknown>,
): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const details = await ctx.graph.request<Details>('GET', path, STEP_CALL);
    if (isDone(details)) return;
    try {
      await ctx.graph.request('PATCH', path, {
        ...STEP_CALL,
        idempotent: true,
        body: body(details),
        headers: { 'if-match': details['@odata.etag'] ?? '*', prefer: 'return=minimal' },
      });
    } catch (error) {
      if (error instanceof GraphError && (error.status === 412 || error.status === 409)) continue;
      throw error;
    }
  }
  throw new Error(`${path} kept changing under Trellis`);
}

export function checklistOf(runId: string, plan: SpecPlan, taskIndex: number) {
  const task = plan.tasks[taskIndex];
  return (task?.checklist ?? []).map((item, i) => ({
    key: stableGuid(runId, plan.title, String(taskIndex), String(i)),
    ...item,
  }));
}

async function ensurePlan(ctx: StepContext, plan: SpecPlan): Promise<void> {
  const groupId = ctx.teamId();
  const { id: planId, created: fresh } = await ensureObject(
    ctx,
    planKey(plan),
    'plan',
    async () =>
      (await ctx.graph.all<Plan>(graphPath`/groups/${groupId}/planner/plans`, undefined, STEP_CALL)).find(
        (p) => sameName(p.title, plan.title),
      ),
    (findExisting) =>
      ctx.graph.request<Plan>('POST', '/planner/plans', {
        ...STEP_CALL,
        body: { container: { url: `${GRAPH_ROOT}/groups/${groupId}` }, title: plan.title },
        findExisting,
      }),
  );

  const labels = Object.entries(plan.labels);
  if (labels.length > 0) {
    await patchDetails(
      ctx,
      graphPath`/planner/plans/${planId}/details`,
      (d) => labels.every(([category, name]) => d.categoryDescriptions?.[category] === name),
      () => ({ categoryDescriptions: Object.fromEntries(labels) }),
    );
  }

  // Buckets one after the other: Planner orders them by creation.
  const buckets = new Map<string, string>();
  for (const name of plan.buckets) {
    const { id } = await ensureObject(
      ctx,
      bucketKey(plan, name),
      'bucket',
      // A plan created a moment ago holds nothing yet: no need to look.
      async () =>
        fresh
          ? undefined
          : (
              await ctx.graph.all<Bucket>(graphPath`/planner/plans/${planId}/buckets`, undefined, STEP_CALL)
            ).find((b) => sameName(b.name, name)),
      () =>
        ctx.graph.request<Bucket>('POST', '/planner/buckets', {
          ...STEP_CALL,
          body: { name, planId, orderHint: ' !' },
          findExisting: async () =>
            (
              await ctx.graph.all<Bucket>(graphPath`/planner/plans/${planId}/buckets`, undefined, STEP_CALL)
            ).find((b) => sameName(b.name, name)),
        }),
    );
    buckets.set(name, id);
  }

  // Tasks in order too; the n-th task of a title is matched to the n-th created.
  let existing: Task[] | undefined;
  const listTasks = () =>
    ctx.graph.all<Task>(graphPath`/planner/plans/${planId}/tasks`, undefined, STEP_CALL);
  for (const [index, task] of plan.tasks.entries()) {
    const bucketId = task.bucket ? (buckets.get(task.bucket) ?? null) : null;
    const occurrence = plan.tasks.slice(0, index).filter((t) => t.title === task.title).length;
    const { id: taskId } = await ensureObject(
      ctx,
      taskKey(plan, index),
      'task',
      async () => {
        if (fresh) return undefined;
        existing ??= await listTasks();
        return existing.filter((t) => t.title === task.title)[occurrence];
      },
      () =>
        ctx.graph.request<Task>('POST', '/planner/tasks', {
          ...STEP_CALL,
          body: {
            planId,
            ...(bucketId ? { bucketId } : {}),
            title: task.title,
            ...(task.startDateTime ? { startDateTime: task.startDateTime } : {}),
            ...(task.dueDateTime ? { dueDateTime: task.dueDateTime } : {}),
            ...(task.priority !== null ? { priority: task.priority } : {}),
            ...(task.labels.length > 0
              ? { appliedCategories: Object.fromEntries(task.labels.map((l) => [l, true])) }
              : {}),
            ...(task.assignees.length > 0
              ? {
                  assignments: Object.fromEntries(
                    task.assignees.map((a) => [
                      a,
                      { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' },
                    ]),
                  ),
                }
              : {}),
          },
          findExisting: async () => (await listTasks()).filter((t) => t.title === task.title)[occurrence],
        }),
    );
    const checklist = checklistOf(ctx.runId, plan, index);
    if (checklist.length > 0 || task.notes) {
      await patchDetails(
        ctx,
        graphPath`/planner/tasks/${taskId}/details`,
        (d) =>
          (!task.notes || d.description === task.notes) &&
          checklist.every((i) => d.checklist?.[i.key]?.title === i.title),
        () => ({
          ...(task.notes ? { description: task.notes, previewType: 'description' } : {}),
          ...(checklist.length > 0
            ? {
                checklist: Object.fromEntries(
                  checklist.map((i) => [
                    i.key,
                    {
                      '@odata.type': 'microsoft.graph.plannerChecklistItem',
                      title: i.title,
                      isChecked: i.isChecked,
                    },
                  ]),
                ),
                ...(task.notes ? {} : { previewType: 'checklist' }),
              }
            : {}),
        }),
      );
    }
  }
}

/** Planner plans with their labels, buckets and tasks (dates, priority, labels, assignees, checklists, notes). */
export const plannerStep: StepDefinition = {
  name: 'planner',
  version: 1,
  title: 'Creating the plan, buckets and tasks',
  weight: 14,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:planner`,
  async run(ctx) {
    await eachLimited(ctx.spec.plans, 2, (plan) => ensurePlan(ctx, plan));
    if (ctx.spec.plans.length > 0) {
      const tasks = ctx.spec.plans.reduce((n, p) => n + p.tasks.length, 0);
      await ctx.log(`${ctx.spec.plans.length} plans with ${tasks} tasks ready`);
    }
  },
  plan: (spec) =>
    spec.plans.flatMap((p) => [
      {
        step: 'planner',
        method: 'POST' as const,
        path: '/planner/plans',
        description: `Create the plan "${p.title}"`,
      },
      ...(Object.keys(p.labels).length > 0
        ? [
            {
              step: 'planner',
              method: 'PATCH' as const,
              path: '/planner/plans/{planId}/details',
              description: `Name ${Object.keys(p.labels).length} labels`,
            },
          ]
        : []),
      ...p.buckets.map((b) => ({
        step: 'planner',
        method: 'POST' as const,
        path: '/planner/buckets',
        description: `Create the bucket "${b}"`,
      })),
      ...p.tasks.flatMap((t) => [
        {
          step: 'planner',
          method: 'POST' as const,
          path: '/planner/tasks',
          description: `Create the task "${t.title}"${t.bucket ? ` in ${t.bucket}` : ''}`,
        },
        ...(t.checklist.length > 0 || t.notes
          ? [
              {
                step: 'planner',
                method: 'PATCH' as const,
                path: '/planner/tasks/{taskId}/details',
                description: `Add ${t.checklist.length} checklist items${t.notes ? ' and notes' : ''}`,
              },
            ]
          : []),
      ]),
    ]),
};
