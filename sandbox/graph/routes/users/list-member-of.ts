import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupObject, requireUser } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

/** `GET /users/{id}/memberOf` (and `/me/memberOf`): the groups the user is a direct member of. */
export const listMemberOf: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/users/:userId/memberOf', '/v1.0/me/memberOf'],
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const user = requireUser(call.tenant, call.params.userId ?? call.caller.userId ?? '');
    const groups = call.tenant.directory.groups.filter((g) => g.memberIds.includes(user.id));
    return collection(
      call,
      groups.map((g) => groupObject(g, findReadyTeam(call.graph, g.id, call.now) !== undefined)),
      { context: 'directoryObjects', entityType: 'microsoft.graph.directoryObject', directory: true },
    );
  },
};
