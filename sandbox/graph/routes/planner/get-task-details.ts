import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireTask, taskDetailsShape } from '../../model/planner.ts';

/** `GET /planner/tasks/{id}/details`: description, checklist, references. */
export const getTaskDetails: GraphRoute = {
  method: 'GET',
  url: '/v1.0/planner/tasks/:taskId/details',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) =>
    entity(call, taskDetailsShape(requireTask(call.graph, call.params.taskId ?? '')), {
      context: 'planner/tasks/details',
      entityType: 'microsoft.graph.plannerTaskDetails',
    }),
};
