import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { removeTeamMember, requireTeam } from '../../../model/teams.ts';
import { findMembership } from './find-membership.ts';

/** `DELETE /teams/{id}/members/{membershipId}`: out of the team, its group and its private channels (204). */
export const removeTeamMemberRoute: GraphRoute = {
  method: 'DELETE',
  url: '/v1.0/teams/:teamId/members/:membershipId',
  permissions: PERMISSIONS.teamMembersWrite,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const member = findMembership(call.tenant, team.id, group, call.params.membershipId ?? '');
    removeTeamMember(call.graph, group, member.user.id);
    call.reply.code(204);
    return undefined;
  },
};
