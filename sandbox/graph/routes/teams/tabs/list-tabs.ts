import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { requireCatalogApp, teamsAppShape } from '../../../model/catalog.ts';
import { requireChannel, requireTeam, tabShape } from '../../../model/teams.ts';

/** `GET /teams/{id}/channels/{channelId}/tabs` (`$expand=teamsApp`). */
export const listTabs: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels/:channelId/tabs',
  permissions: PERMISSIONS.tabsRead,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    const tabs = new Map(
      call.graph.tabs.filter((t) => t.channelId === channel.id && t.teamId === team.id).map((t) => [t.id, t]),
    );
    // teamsApp is a navigation property: present only when expanded.
    const rows = [...tabs.values()].map((t) => {
      const { teamsApp: _navigation, ...rest } = tabShape(call.tenant, t);
      return rest;
    });
    return collection(call, rows, {
      context: `teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/tabs`,
      entityType: 'microsoft.graph.teamsTab',
      expand: {
        teamsApp: (row) => {
          const tab = tabs.get(String(row.id));
          return tab ? teamsAppShape(requireCatalogApp(call.tenant, tab.teamsAppId)) : null;
        },
      },
    });
  },
};
