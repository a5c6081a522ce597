import { entity } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { channelShape, requireChannel, requireTeam } from '../../../model/teams.ts';

/** `GET /teams/{id}/channels/{channelId}`. */
export const getChannel: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels/:channelId',
  permissions: PERMISSIONS.channelsRead,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    return entity(call, channelShape(call.tenant, channel), {
      context: `teams('${team.id}')/channels`,
      entityType: 'microsoft.graph.channel',
    });
  },
};
