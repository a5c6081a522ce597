import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupObject, requireGroup, transitiveMembersOf, userObject } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

/**
 * `GET /groups/{id}/transitiveMembers`: users and nested groups, flattened; the `/microsoft.graph.user`
 * and `/microsoft.graph.group` casts keep one kind.
 */
export const listTransitiveMembers: GraphRoute = {
  method: 'GET',
  url: [
    '/v1.0/groups/:groupId/transitiveMembers',
    '/v1.0/groups/:groupId/transitiveMembers/microsoft.graph.user',
    '/v1.0/groups/:groupId/transitiveMembers/microsoft.graph.group',
  ],
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    const path = call.request.url.split('?')[0] ?? '';
    const cast = path.endsWith('/microsoft.graph.user')
      ? 'user'
      : path.endsWith('/microsoft.graph.group')
        ? 'group'
        : undefined;
    const { users, groups } = transitiveMembersOf(call.tenant, group);
    const items = [
      ...(cast === 'group' ? [] : users.map(userObject)),
      ...(cast === 'user'
        ? []
        : groups.map((g) => groupObject(g, findReadyTeam(call.graph, g.id, call.now) !== undefined))),
    ];
    return collection(
      call,
      items,
      cast === 'user'
        ? { context: 'users', entityType: 'microsoft.graph.user', directory: true }
        : cast === 'group'
          ? { context: 'groups', entityType: 'microsoft.graph.group', directory: true }
          : { context: 'directoryObjects', entityType: 'microsoft.graph.directoryObject', directory: true },
    );
  },
};
