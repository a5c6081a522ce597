import { boundKey } from '../../../http/binds.ts';
import { jsonBody } from '../../../http/body.ts';
import { graphErrors } from '../../../http/errors.ts';
import { randomIds } from '../../../http/ids.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import {
  addTab,
  readTabConfiguration,
  requireActive,
  requireChannel,
  requireTeam,
  tabShape,
} from '../../../model/teams.ts';

/**
 * `POST /teams/{id}/channels/{channelId}/tabs` with `teamsApp@odata.bind` and `configuration`:
 * 201 + tab; 400 when the app is not installed in the team.
 */
export const createTab: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/channels/:channelId/tabs',
  permissions: PERMISSIONS.tabsWrite,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    requireActive(team);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    const body = jsonBody(call);
    const appId = boundKey(body['teamsApp@odata.bind'], ['teamsApps']);
    if (!appId)
      throw graphErrors.badRequest("'teamsApp@odata.bind' must reference appCatalogs/teamsApps/{id}.");
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') {
      throw graphErrors.badRequest("'displayName' is required for a configurable tab.");
    }
    if (body.displayName.length > 128)
      throw graphErrors.badRequest("'displayName' is at most 128 characters.");
    const tab = addTab(
      call.tenant,
      call.graph,
      channel,
      {
        displayName: body.displayName,
        teamsAppId: appId,
        configuration: readTabConfiguration(body.configuration),
      },
      randomIds,
      call.now,
    );
    const { teamsApp: _navigation, ...shape } = tabShape(call.tenant, tab);
    call.reply.code(201);
    return {
      '@odata.context': `${call.base}/$metadata#teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/tabs/$entity`,
      ...shape,
    };
  },
};
