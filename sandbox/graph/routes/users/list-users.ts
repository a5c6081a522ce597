import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { USER_DEFAULT_SELECT, userShape } from '../../model/directory.ts';

/** `GET /users`: the tenant's users, default properties unless `$select`, 100 a page. */
export const listUsers: GraphRoute = {
  method: 'GET',
  url: '/v1.0/users',
  permissions: PERMISSIONS.usersRead,
  handler: (call) =>
    collection(call, call.tenant.directory.users.map(userShape), {
      context: 'users',
      entityType: 'microsoft.graph.user',
      directory: true,
      defaultSelect: USER_DEFAULT_SELECT,
    }),
};
