import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireUser, USER_DEFAULT_SELECT, userShape } from '../../model/directory.ts';

/** `GET /users/{id | userPrincipalName}`. */
export const getUser: GraphRoute = {
  method: 'GET',
  url: '/v1.0/users/:userId',
  permissions: PERMISSIONS.usersRead,
  handler: (call) =>
    entity(call, userShape(requireUser(call.tenant, call.params.userId ?? '')), {
      context: 'users',
      entityType: 'microsoft.graph.user',
      directory: true,
      defaultSelect: USER_DEFAULT_SELECT,
    }),
};
