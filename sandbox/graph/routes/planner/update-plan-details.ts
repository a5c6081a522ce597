import { jsonBody } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { CATEGORIES, checkIfMatch, etag, planDetailsShape, requirePlan } from '../../model/planner.ts';
import { plannerReply } from './reply.ts';

/** `PATCH /planner/plans/{id}/details` with `If-Match`: labels and sharedWith (204; 412 on a stale etag). */
export const updatePlanDetails: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/planner/plans/:planId/details',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const plan = requirePlan(call.graph, call.params.planId ?? '');
    checkIfMatch(call.request.headers['if-match'], etag('plandetails', plan.id, plan.details.version));
    const body = jsonBody(call);
    const labels: Record<string, string | null> = {};
    for (const key of Object.keys(body)) {
      if (key !== 'categoryDescriptions' && key !== 'sharedWith') {
        throw graphErrors.badRequest(
          `The property '${key}' does not exist on type 'microsoft.graph.plannerPlanDetails'.`,
        );
      }
    }
    if (body.categoryDescriptions !== undefined) {
      if (body.categoryDescriptions === null || typeof body.categoryDescriptions !== 'object') {
        throw graphErrors.badRequest("'categoryDescriptions' must be an object.");
      }
      for (const [key, value] of Object.entries(body.categoryDescriptions as Record<string, unknown>)) {
        if (key.startsWith('@odata.')) continue;
        if (!CATEGORIES.includes(key))
          throw graphErrors.badRequest(`'${key}' is not a category (category1 … category25).`);
        if (value !== null && typeof value !== 'string')
          throw graphErrors.badRequest(`'${key}' must be a string or null.`);
        labels[key] = value as string | null;
      }
    }
    if (body.sharedWith !== undefined) {
      if (body.sharedWith === null || typeof body.sharedWith !== 'object')
        throw graphErrors.badRequest("'sharedWith' must be an object.");
      for (const [userId, shared] of Object.entries(body.sharedWith as Record<string, unknown>)) {
        if (shared === null || shared === false) delete plan.details.sharedWith[userId];
        else plan.details.sharedWith[userId] = true;
      }
    }
    Object.assign(plan.details.categoryDescriptions, labels);
    plan.details.version++;
    return plannerReply(call, planDetailsShape(plan), 'planner/plans/details');
  },
};
