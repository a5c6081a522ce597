import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupShape, requireGroup } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

/** `GET /groups/{id}`. */
export const getGroup: GraphRoute = {
  method: 'GET',
  url: '/v1.0/groups/:groupId',
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    return entity(call, groupShape(group, findReadyTeam(call.graph, group.id, call.now) !== undefined), {
      context: 'groups',
      entityType: 'microsoft.graph.group',
      directory: true,
    });
  },
};
