import { entity } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { memberShape, requireTeam } from '../../../model/teams.ts';
import { findMembership } from './find-membership.ts';

/** `GET /teams/{id}/members/{membershipId}`. */
export const getTeamMember: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/members/:membershipId',
  permissions: PERMISSIONS.teamMembersRead,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const member = findMembership(call.tenant, team.id, group, call.params.membershipId ?? '');
    return entity(call, memberShape(call.tenant, team.id, member.user, member.roles), {
      context: `teams('${team.id}')/members`,
      entityType: 'microsoft.graph.aadUserConversationMember',
    });
  },
};
