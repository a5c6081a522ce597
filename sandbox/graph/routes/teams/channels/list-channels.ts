import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { channelShape, channelsOf, requireTeam } from '../../../model/teams.ts';

/** `GET /teams/{id}/channels`. */
export const listChannels: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels',
  permissions: PERMISSIONS.channelsRead,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    return collection(
      call,
      channelsOf(call.graph, team.id).map((c) => channelShape(call.tenant, c)),
      { context: `teams('${team.id}')/channels`, entityType: 'microsoft.graph.channel' },
    );
  },
};
