import { boundKey } from '../../../http/binds.ts';
import { jsonBody } from '../../../http/body.ts';
import { graphErrors } from '../../../http/errors.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { requireUser } from '../../../model/directory.ts';
import { memberShape, requireTeam, rolesFor, setTeamMember } from '../../../model/teams.ts';

/**
 * `POST /teams/{id}/members` (aadUserConversationMember, `user@odata.bind` by id or UPN, roles owner or
 * guest): 201 + member. The group's members and owners follow; adding a member again sets their roles.
 */
export const addTeamMember: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/members',
  permissions: PERMISSIONS.teamMembersWrite,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const body = jsonBody(call);
    const key = boundKey(body['user@odata.bind'], ['users']);
    if (!key)
      throw graphErrors.badRequest("'user@odata.bind' must reference users('{id or userPrincipalName}').");
    const user = requireUser(call.tenant, key);
    const roles = rolesFor(user, body.roles);
    setTeamMember(group, user, roles);
    call.reply.code(201);
    return {
      '@odata.context': `${call.base}/$metadata#teams('${team.id}')/members/$entity`,
      ...memberShape(call.tenant, team.id, user, roles),
    };
  },
};
