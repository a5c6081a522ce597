import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { channelMembers, memberShape, requireChannel, requireTeam } from '../../../model/teams.ts';

/** `GET /teams/{id}/channels/{channelId}/members`: the team's roster for standard channels, their own otherwise. */
export const listChannelMembers: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels/:channelId/members',
  permissions: PERMISSIONS.channelMembersRead,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    const containerId = channel.membershipType === 'standard' ? team.id : channel.id;
    return collection(
      call,
      channelMembers(call.tenant, group, channel).map((m) =>
        memberShape(call.tenant, containerId, m.user, m.roles),
      ),
      {
        context: `teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/members`,
        entityType: 'microsoft.graph.conversationMember',
      },
    );
  },
};
