import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { bucketShape, requirePlan } from '../../model/planner.ts';

/** `GET /planner/plans/{id}/buckets`. */
export const listBuckets: GraphRoute = {
  method: 'GET',
  url: '/v1.0/planner/plans/:planId/buckets',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) => {
    const plan = requirePlan(call.graph, call.params.planId ?? '');
    return collection(call, call.graph.buckets.filter((b) => b.planId === plan.id).map(bucketShape), {
      context: `planner/plans('${plan.id}')/buckets`,
      entityType: 'microsoft.graph.plannerBucket',
    });
  },
};
