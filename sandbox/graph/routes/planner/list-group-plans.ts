import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { planShape } from '../../model/planner.ts';

/** `GET /groups/{id}/planner/plans`. */
export const listGroupPlans: GraphRoute = {
  method: 'GET',
  url: '/v1.0/groups/:groupId/planner/plans',
  permissions: PERMISSIONS.plannerRead,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    return collection(call, call.graph.plans.filter((p) => p.groupId === group.id).map(planShape), {
      context: `groups('${group.id}')/planner/plans`,
      entityType: 'microsoft.graph.plannerPlan',
    });
  },
};
