import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireCatalogApp, teamsAppDefinitionShape, teamsAppShape } from '../../model/catalog.ts';

/** `GET /appCatalogs/teamsApps/{id}` (`$expand=appDefinitions`). */
export const getTeamsApp: GraphRoute = {
  method: 'GET',
  url: '/v1.0/appCatalogs/teamsApps/:appId',
  permissions: PERMISSIONS.appCatalogRead,
  handler: (call) => {
    const app = requireCatalogApp(call.tenant, call.params.appId ?? '');
    return entity(call, teamsAppShape(app), {
      context: 'appCatalogs/teamsApps',
      entityType: 'microsoft.graph.teamsApp',
      expand: { appDefinitions: () => [teamsAppDefinitionShape(app)] },
    });
  },
};
