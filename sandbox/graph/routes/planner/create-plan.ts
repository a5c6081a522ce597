import { boundKey } from '../../http/binds.ts';
import { actorOf, jsonBody, requiredString } from '../../http/body.ts';
import { GraphError, graphErrors } from '../../http/errors.ts';
import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { canUsePlansOf, createPlan as newPlan, planShape } from '../../model/planner.ts';

/** `POST /planner/plans` with `container.url` (or `owner`) naming a group: 201 + plan. */
export const createPlan: GraphRoute = {
  method: 'POST',
  url: '/v1.0/planner/plans',
  permissions: PERMISSIONS.plannerWrite,
  handler: (call) => {
    const body = jsonBody(call);
    const title = requiredString(body, 'title');
    const container = body.container as Record<string, unknown> | undefined;
    const groupId =
      (container &&
        (boundKey(container.url, ['groups']) ??
          (container.type === 'group' ? container.containerId : undefined))) ??
      body.owner;
    if (typeof groupId !== 'string' || groupId === '') {
      throw graphErrors.badRequest(
        "The plan needs a container: {'container': {'url': 'https://graph.microsoft.com/v1.0/groups/{id}'}}.",
      );
    }
    const group = requireGroup(call.tenant, groupId);
    if (!canUsePlansOf(call.tenant, group.id, call.caller.userId)) {
      throw new GraphError(
        403,
        'Forbidden',
        'You do not have the required permissions to access this item: the caller is not a member of the group.',
      );
    }
    const plan = newPlan(call.graph, group.id, title, actorOf(call.caller), randomIds, call.now);
    call.reply.code(201);
    return { '@odata.context': `${call.base}/$metadata#planner/plans/$entity`, ...planShape(plan) };
  },
};
