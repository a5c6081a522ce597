import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { planDetailsShape, requirePlan } from '../../model/planner.ts';

/** `GET /planner/plans/{id}/details`: labels (categoryDescriptions) and sharedWith. */
export const getPlanDetails: GraphRoute = {
  method: 'GET',
  url: '/v1.0/planner/plans/:planId/details',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) =>
    entity(call, planDetailsShape(requirePlan(call.graph, call.params.planId ?? '')), {
      context: 'planner/plans/details',
      entityType: 'microsoft.graph.plannerPlanDetails',
    }),
};
