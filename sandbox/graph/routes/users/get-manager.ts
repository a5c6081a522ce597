import { graphErrors } from '../../http/errors.ts';
import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { findUser, requireUser, userObject } from '../../model/directory.ts';

/** `GET /users/{id}/manager` (and `/me/manager`): 404 when the user has none. */
export const getManager: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/users/:userId/manager', '/v1.0/me/manager'],
  permissions: PERMISSIONS.usersRead,
  handler: (call) => {
    const user = requireUser(call.tenant, call.params.userId ?? call.caller.userId ?? '');
    const manager = user.managerId ? findUser(call.tenant, user.managerId) : undefined;
    if (!manager) throw graphErrors.directoryNotFound('manager');
    return entity(call, userObject(manager), {
      context: 'directoryObjects',
      entityType: 'microsoft.graph.directoryObject',
      directory: true,
    });
  },
};
