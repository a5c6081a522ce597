import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireBucket, requirePlan, taskShape } from '../../model/planner.ts';

/** `GET /planner/plans/{id}/tasks` and `/planner/buckets/{id}/tasks`. */
export const listTasks: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/planner/plans/:planId/tasks', '/v1.0/planner/buckets/:bucketId/tasks'],
  permissions: PERMISSIONS.plannerRead,
  handler: (call) => {
    if (call.params.bucketId) {
      const bucket = requireBucket(call.graph, call.params.bucketId);
      return collection(call, call.graph.tasks.filter((t) => t.bucketId === bucket.id).map(taskShape), {
        context: `planner/buckets('${bucket.id}')/tasks`,
        entityType: 'microsoft.graph.plannerTask',
      });
    }
    const plan = requirePlan(call.graph, call.params.planId ?? '');
    return collection(call, call.graph.tasks.filter((t) => t.planId === plan.id).map(taskShape), {
      context: `planner/plans('${plan.id}')/tasks`,
      entityType: 'microsoft.graph.plannerTask',
    });
  },
};
