import type { ApiRoutes } from '../../api/api-types.ts';
import { assetRoutes } from './asset-routes.ts';
import { catalogRoutes } from './catalog-routes.ts';
import { metadataFieldRoutes } from './metadata-field-routes.ts';
import { namingRoutes } from './naming-routes.ts';
import { templateRoutes } from './template-routes.ts';

/** Every /api/v1 route of the templates capability. */
export const templatesApiRoutes: ApiRoutes = async (app, deps) => {
  await catalogRoutes(app, deps);
  await templateRoutes(app, deps);
  await assetRoutes(app, deps);
  await metadataFieldRoutes(app, deps);
  await namingRoutes(app, deps);
};

export { registerTemplateSchemaDocument } from './schema-document-routes.ts';
