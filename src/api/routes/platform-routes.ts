import { Type } from 'typebox';
import type { ApiRoutes } from '../api-types.ts';
import { ProblemSchema } from '../schemas.ts';

/** `GET /openapi.json`: the OpenAPI 3.1 document of this API, generated from the route schemas. */
export const platformRoutes: ApiRoutes = async (app) => {
  app.get(
    '/openapi.json',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Platform'],
        operationId: 'getOpenApiDocument',
        summary: 'This document (OpenAPI 3.1)',
        response: {
          200: Type.Object(
            { openapi: Type.String() },
            { additionalProperties: true, description: 'OpenAPI 3.1' },
          ),
          429: ProblemSchema,
          500: ProblemSchema,
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(JSON.stringify(app.swagger()) as never),
  );
};
