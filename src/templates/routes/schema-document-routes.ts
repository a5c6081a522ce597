import type { FastifyInstance } from 'fastify';
import { renderTemplateJsonSchema } from '../template-json-schema.ts';

/** Serves the published template JSON Schema at /schemas/template.v1.json (public, outside /api/v1). */
export async function registerTemplateSchemaDocument(app: FastifyInstance): Promise<void> {
  const body = renderTemplateJsonSchema();
  app.get(
    '/schemas/template.v1.json',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .header('content-type', 'application/schema+json; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(body),
  );
}
