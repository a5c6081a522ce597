import { collection } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { catalogOf, requireCatalogApp, teamsAppDefinitionShape, teamsAppShape } from '../../model/catalog.ts';

/** `GET /appCatalogs/teamsApps` (`$filter=distributionMethod eq 'organization'`, `$expand=appDefinitions`). */
export const listTeamsApps: GraphRoute = {
  method: 'GET',
  url: '/v1.0/appCatalogs/teamsApps',
  permissions: PERMISSIONS.appCatalogRead,
  handler: (call) =>
    collection(call, catalogOf(call.tenant).map(teamsAppShape), {
      context: 'appCatalogs/teamsApps',
      entityType: 'microsoft.graph.teamsApp',
      expand: {
        appDefinitions: (row) => [teamsAppDefinitionShape(requireCatalogApp(call.tenant, String(row.id)))],
      },
    }),
};
