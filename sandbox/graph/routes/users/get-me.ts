import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireUser, USER_DEFAULT_SELECT, userShape } from '../../model/directory.ts';

/** `GET /me`: the signed-in user (delegated tokens only). */
export const getMe: GraphRoute = {
  method: 'GET',
  url: '/v1.0/me',
  permissions: PERMISSIONS.me,
  handler: (call) =>
    entity(call, userShape(requireUser(call.tenant, call.caller.userId ?? '')), {
      context: 'users',
      entityType: 'microsoft.graph.user',
      directory: true,
      defaultSelect: USER_DEFAULT_SELECT,
    }),
};
