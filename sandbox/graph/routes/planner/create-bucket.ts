import { jsonBody, requiredString } from '../../http/body.ts';
import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { bucketShape, createBucket as newBucket, requirePlan } from '../../model/planner.ts';

/** `POST /planner/buckets` with `name` and `planId`: 201 + bucket. */
export const createBucket: GraphRoute = {
  method: 'POST',
  url: '/v1.0/planner/buckets',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const body = jsonBody(call);
    const name = requiredString(body, 'name');
    const plan = requirePlan(call.graph, requiredString(body, 'planId'));
    const bucket = newBucket(call.graph, plan, name, randomIds);
    call.reply.code(201);
    return { '@odata.context': `${call.base}/$metadata#planner/buckets/$entity`, ...bucketShape(bucket) };
  },
};
