import { actorOf, jsonBody, requiredString } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireUser } from '../../model/directory.ts';
import {
  CATEGORIES,
  createTask as newTask,
  requireBucket,
  requirePlan,
  taskShape,
} from '../../model/planner.ts';

function optionalDate(body: Record<string, unknown>, key: string): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw graphErrors.badRequest(`'${key}' must be a date-time.`);
  return new Date(value).toISOString();
}

/** `POST /planner/tasks` with planId, bucketId, title, appliedCategories, assignments: 201 + task. */
export const createTask: GraphRoute = {
  method: 'POST',
  url: '/v1.0/planner/tasks',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const body = jsonBody(call);
    const plan = requirePlan(call.graph, requiredString(body, 'planId'));
    const title = requiredString(body, 'title');
    let bucketId: string | null = null;
    if (body.bucketId !== undefined && body.bucketId !== null) {
      const bucket = requireBucket(call.graph, String(body.bucketId));
      if (bucket.planId !== plan.id) throw graphErrors.badRequest('The bucket belongs to another plan.');
      bucketId = bucket.id;
    }
    const categories: Record<string, boolean> = {};
    const applied = body.appliedCategories;
    if (applied !== undefined && applied !== null) {
      if (typeof applied !== 'object') throw graphErrors.badRequest("'appliedCategories' must be an object.");
      for (const [key, value] of Object.entries(applied as Record<string, unknown>)) {
        if (key.startsWith('@odata.')) continue;
        if (!CATEGORIES.includes(key))
          throw graphErrors.badRequest(`'${key}' is not a category (category1 … category25).`);
        if (value === true) categories[key] = true;
      }
    }
    const assignments = body.assignments;
    const assigneeIds: string[] = [];
    if (assignments !== undefined && assignments !== null) {
      if (typeof assignments !== 'object') throw graphErrors.badRequest("'assignments' must be an object.");
      for (const [userId, value] of Object.entries(assignments as Record<string, unknown>)) {
        if (value === null) continue;
        assigneeIds.push(requireUser(call.tenant, userId).id);
      }
    }
    const percentComplete = body.percentComplete ?? 0;
    if (typeof percentComplete !== 'number' || percentComplete < 0 || percentComplete > 100) {
      throw graphErrors.badRequest("'percentComplete' must be between 0 and 100.");
    }
    const priority = body.priority ?? 5;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 10) {
      throw graphErrors.badRequest("'priority' must be an integer between 0 and 10.");
    }
    const task = newTask(
      call.graph,
      plan,
      {
        title,
        bucketId,
        appliedCategories: categories,
        percentComplete,
        priority,
        startDateTime: optionalDate(body, 'startDateTime'),
        dueDateTime: optionalDate(body, 'dueDateTime'),
        assigneeIds,
      },
      actorOf(call.caller),
      randomIds,
      call.now,
    );
    call.reply.code(201);
    return { '@odata.context': `${call.base}/$metadata#planner/tasks/$entity`, ...taskShape(task) };
  },
};
