import { boundKey } from '../../../http/binds.ts';
import { jsonBody } from '../../../http/body.ts';
import { graphErrors } from '../../../http/errors.ts';
import { randomIds } from '../../../http/ids.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { installApp, requireActive, requireTeam } from '../../../model/teams.ts';

/** `POST /teams/{id}/installedApps` with `teamsApp@odata.bind`: 200 with no body; 409 when installed already. */
export const installTeamApp: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/installedApps',
  permissions: PERMISSIONS.installedAppsWrite,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    requireActive(team);
    const appId = boundKey(jsonBody(call)['teamsApp@odata.bind'], ['teamsApps']);
    if (!appId)
      throw graphErrors.badRequest("'teamsApp@odata.bind' must reference appCatalogs/teamsApps/{id}.");
    installApp(call.tenant, call.graph, team.id, appId, randomIds, call.now);
    call.reply.code(200);
    return undefined;
  },
};
