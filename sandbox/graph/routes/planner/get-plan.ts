import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { planShape, requirePlan } from '../../model/planner.ts';

/** `GET /planner/plans/{id}`. */
export const getPlan: GraphRoute = {
  method: 'GET',
  url: '/v1.0/planner/plans/:planId',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) =>
    entity(call, planShape(requirePlan(call.graph, call.params.planId ?? '')), {
      context: 'planner/plans',
      entityType: 'microsoft.graph.plannerPlan',
    }),
};
