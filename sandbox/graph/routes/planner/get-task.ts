import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireTask, taskShape } from '../../model/planner.ts';

/** `GET /planner/tasks/{id}`. */
export const getTask: GraphRoute = {
  method: 'GET',
  url: '/v1.0/planner/tasks/:taskId',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) =>
    entity(call, taskShape(requireTask(call.graph, call.params.taskId ?? '')), {
      context: 'planner/tasks',
      entityType: 'microsoft.graph.plannerTask',
    }),
};
