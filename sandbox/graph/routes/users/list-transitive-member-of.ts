import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupObject, requireUser, transitiveGroupsOf } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

/**
 * `GET /users/{id}/transitiveMemberOf` (and `/me/…`): the groups the user is in, directly or through
 * nested groups; the `/microsoft.graph.group` cast keeps groups only (the sandbox has no directory roles
 * or administrative units, so both answer the same items, cast-typed context aside).
 */
export const listTransitiveMemberOf: GraphRoute = {
  method: 'GET',
  url: [
    '/v1.0/users/:userId/transitiveMemberOf',
    '/v1.0/users/:userId/transitiveMemberOf/microsoft.graph.group',
    '/v1.0/me/transitiveMemberOf',
    '/v1.0/me/transitiveMemberOf/microsoft.graph.group',
  ],
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const user = requireUser(call.tenant, call.params.userId ?? call.caller.userId ?? '');
    const cast = call.request.url.split('?')[0]?.endsWith('/microsoft.graph.group') === true;
    const groups = transitiveGroupsOf(call.tenant, user.id);
    return collection(
      call,
      groups.map((g) => groupObject(g, findReadyTeam(call.graph, g.id, call.now) !== undefined)),
      cast
        ? { context: 'groups', entityType: 'microsoft.graph.group', directory: true }
        : { context: 'directoryObjects', entityType: 'microsoft.graph.directoryObject', directory: true },
    );
  },
};
