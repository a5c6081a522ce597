import { jsonBody } from '../../../http/body.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { memberShape, requireTeam, rolesFor, setTeamMember } from '../../../model/teams.ts';
import { findMembership } from './find-membership.ts';

/** `PATCH /teams/{id}/members/{membershipId}` with `roles`: promotes or demotes (200 + member). */
export const updateTeamMember: GraphRoute = {
  method: 'PATCH',
  url: '/v1.0/teams/:teamId/members/:membershipId',
  permissions: PERMISSIONS.teamMembersWrite,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const member = findMembership(call.tenant, team.id, group, call.params.membershipId ?? '');
    const roles = rolesFor(member.user, jsonBody(call).roles);
    setTeamMember(group, member.user, roles);
    return {
      '@odata.context': `${call.base}/$metadata#teams('${team.id}')/members/$entity`,
      ...memberShape(call.tenant, team.id, member.user, roles),
    };
  },
};
