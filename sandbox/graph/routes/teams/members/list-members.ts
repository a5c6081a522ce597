import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { memberShape, requireTeam, teamMembers } from '../../../model/teams.ts';

/** `GET /teams/{id}/members`: the group's owners and members as aadUserConversationMembers. */
export const listTeamMembers: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/members',
  permissions: PERMISSIONS.teamMembersRead,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    return collection(
      call,
      teamMembers(call.tenant, group).map((m) => memberShape(call.tenant, team.id, m.user, m.roles)),
      { context: `teams('${team.id}')/members`, entityType: 'microsoft.graph.aadUserConversationMember' },
    );
  },
};
