import { jsonBody } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireUser } from '../../model/directory.ts';
import {
  CATEGORIES,
  checkIfMatch,
  etag,
  requireBucket,
  requireTask,
  taskShape,
} from '../../model/planner.ts';
import { plannerReply } from './reply.ts';

/** `PATCH /planner/tasks/{id}` with `If-Match`: title, bucket, progress, labels, assignments (204; 412 when stale). */
export const updateTask: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/planner/tasks/:taskId',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const task = requireTask(call.graph, call.params.taskId ?? '');
    checkIfMatch(call.request.headers['if-match'], etag('task', task.id, task.version));
    const body = jsonBody(call);
    const next = structuredClone(task);
    for (const [key, value] of Object.entries(body)) {
      switch (key) {
        case 'title':
          if (typeof value !== 'string' || value === '')
            throw graphErrors.badRequest("'title' must be a non-empty string.");
          next.title = value;
          break;
        case 'bucketId': {
          const bucket = requireBucket(call.graph, String(value));
          if (bucket.planId !== task.planId)
            throw graphErrors.badRequest('The bucket belongs to another plan.');
          next.bucketId = bucket.id;
          break;
        }
        case 'percentComplete':
          if (typeof value !== 'number' || value < 0 || value > 100)
            throw graphErrors.badRequest("'percentComplete' must be 0–100.");
          next.percentComplete = value;
          next.completedDateTime = value === 100 ? call.now.toISOString() : null;
          break;
        case 'priority':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10) {
            throw graphErrors.badRequest("'priority' must be an integer between 0 and 10.");
          }
          next.priority = value;
          break;
        case 'startDateTime':
        case 'dueDateTime':
          if (value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
            throw graphErrors.badRequest(`'${key}' must be a date-time or null.`);
          }
          next[key] = value === null ? null : new Date(value as string).toISOString();
          break;
        case 'appliedCategories':
          for (const [category, on] of Object.entries((value ?? {}) as Record<string, unknown>)) {
            if (category.startsWith('@odata.')) continue;
            if (!CATEGORIES.includes(category))
              throw graphErrors.badRequest(`'${category}' is not a category.`);
            if (on === true) next.appliedCategories[category] = true;
            else delete next.appliedCategories[category];
          }
          break;
        case 'assignments':
          for (const [userId, assignment] of Object.entries((value ?? {}) as Record<string, unknown>)) {
            if (assignment === null) delete next.assignments[userId];
            else {
              const user = requireUser(call.tenant, userId);
              next.assignments[user.id] ??= {
                assignedDateTime: call.now.toISOString(),
                orderHint: '8585000000000000000',
                assignedBy: call.caller.userId ?? call.caller.clientId,
              };
            }
          }
          break;
        default:
          throw graphErrors.badRequest(
            `The property '${key}' does not exist on type 'microsoft.graph.plannerTask' or cannot be updated.`,
          );
      }
    }
    next.version++;
    Object.assign(task, next);
    return plannerReply(call, taskShape(task), 'planner/tasks');
  },
};
