import { collection } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { installationShape, requireTeam } from '../../../model/teams.ts';

/** `GET /teams/{id}/installedApps` (`$expand=teamsApp,teamsAppDefinition`; `$filter=teamsApp/id eq '…'`). */
export const listInstalledApps: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/installedApps',
  permissions: PERMISSIONS.installedAppsRead,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const full = new Map(
      call.graph.installedApps
        .filter((i) => i.teamId === team.id)
        .map((i) => [i.id, installationShape(call.tenant, i)] as const),
    );
    // Navigation properties stay out unless expanded.
    return collection(
      call,
      [...full.keys()].map((id) => ({ id })),
      {
        context: `teams('${team.id}')/installedApps`,
        entityType: 'microsoft.graph.teamsAppInstallation',
        expand: {
          teamsApp: (row) => full.get(String(row.id))?.teamsApp ?? null,
          teamsAppDefinition: (row) => full.get(String(row.id))?.teamsAppDefinition ?? null,
        },
      },
    );
  },
};
