import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { PageQuery, pageOf } from '../../api/pagination.ts';
import { callerOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { CatalogEntrySchema, DocumentSchema } from './template-schemas.ts';

const TAGS = ['Catalog'];

/** The catalog requesters browse: active templates whose audience includes the caller. */
export const catalogRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/catalog',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'listCatalog',
        summary:
          'Active templates the caller may request (audience rules against their directory profile, fail-closed); managers, admins and tokens see all',
        querystring: Type.Object({
          ...PageQuery.properties,
          category: Type.Optional(Type.String({ maxLength: 50 })),
          tag: Type.Optional(Type.String({ maxLength: 50 })),
          language: Type.Optional(Type.String({ maxLength: 20 })),
          q: Type.Optional(Type.String({ maxLength: 100, description: 'Search in name and description.' })),
        }),
        response: { 200: pageOf(CatalogEntrySchema), ...errorResponses(400) },
      },
    },
    async (request) => deps.domain.templates.catalog(callerOf(request), request.query),
  );

  app.get(
    '/catalog/:slug',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'getCatalogEntry',
        summary: 'One catalog entry with its document (404 outside the audience)',
        params: Type.Object({ slug: Type.String({ minLength: 1, maxLength: 63 }) }),
        response: {
          200: Type.Object({ ...CatalogEntrySchema.properties, document: DocumentSchema }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => deps.domain.templates.catalogEntry(callerOf(request), request.params.slug),
  );
};
