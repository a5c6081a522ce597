import { requireReplicated } from '../../http/body.ts';
import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { findGroup } from '../../model/directory.ts';
import { requireTeam, teamShape } from '../../model/teams.ts';

/** `GET /teams/{id}` (and `/groups/{id}/team`): 404 until the team's creation succeeded. */
export const getTeam: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/teams/:teamId', '/v1.0/groups/:groupId/team'],
  permissions: PERMISSIONS.teamRead,
  handler: (call) => {
    const id = call.params.teamId ?? call.params.groupId ?? '';
    const lagging = findGroup(call.tenant, id);
    if (lagging) requireReplicated(call, lagging);
    const { team, group } = requireTeam(call.tenant, call.graph, id, call.now);
    return entity(call, teamShape(call.tenant, team, group), {
      context: 'teams',
      entityType: 'microsoft.graph.team',
    });
  },
};
