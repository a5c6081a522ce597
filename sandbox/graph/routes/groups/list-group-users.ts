import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupUsers, requireGroup, userObject } from '../../model/directory.ts';

function listOf(role: 'owners' | 'members'): GraphRoute {
  return {
    method: 'GET',
    url: `/v1.0/groups/:groupId/${role}`,
    permissions: PERMISSIONS.groupsRead,
    handler: (call) => {
      const group = requireGroup(call.tenant, call.params.groupId ?? '');
      return collection(call, groupUsers(call.tenant, group, role).map(userObject), {
        context: 'directoryObjects',
        entityType: 'microsoft.graph.directoryObject',
        directory: true,
      });
    },
  };
}

/** `GET /groups/{id}/owners`. */
export const listGroupOwners = listOf('owners');
/** `GET /groups/{id}/members`. */
export const listGroupMembers = listOf('members');
