import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupShape } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

/** `GET /groups`, e.g. `$filter=resourceProvisioningOptions/Any(x:x eq 'Team')` for the teams. */
export const listGroups: GraphRoute = {
  method: 'GET',
  url: '/v1.0/groups',
  permissions: PERMISSIONS.groupsRead,
  handler: (call) =>
    collection(
      call,
      call.tenant.directory.groups.map((g) =>
        groupShape(g, findReadyTeam(call.graph, g.id, call.now) !== undefined),
      ),
      { context: 'groups', entityType: 'microsoft.graph.group', directory: true },
    ),
};
