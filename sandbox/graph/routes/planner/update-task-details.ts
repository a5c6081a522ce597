import { actorOf, jsonBody } from '../../http/body.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { checkIfMatch, etag, patchTaskDetails, requireTask, taskDetailsShape } from '../../model/planner.ts';
import { plannerReply } from './reply.ts';

/** `PATCH /planner/tasks/{id}/details` with `If-Match`: checklist items, description (204; 412 when stale). */
export const updateTaskDetails: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/planner/tasks/:taskId/details',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const task = requireTask(call.graph, call.params.taskId ?? '');
    checkIfMatch(call.request.headers['if-match'], etag('taskdetails', task.id, task.details.version));
    const body = jsonBody(call);
    // Validate on a copy: a rejected PATCH changes nothing.
    const next = structuredClone(task);
    patchTaskDetails(next, body, actorOf(call.caller), call.now);
    Object.assign(task, next);
    return plannerReply(call, taskDetailsShape(task), 'planner/tasks/details');
  },
};
