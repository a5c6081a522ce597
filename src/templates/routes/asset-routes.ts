import { type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { ApiApp, ApiRoutes } from '../../api/api-types.ts';
import { auditActorOf } from '../../api/caller.ts';
import { callerOf, sourceOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import { ASSET_CONTENT_TYPES } from '../sniff-asset-type.ts';
import { TEMPLATE_LIMITS } from '../template-limits.ts';
import { IfMatchHeader, SaveResultSchema, TemplateParams, versionFromIfMatch } from './template-schemas.ts';

const TAGS = ['Templates'];
const AssetParams = Type.Object({
  ...TemplateParams.properties,
  assetName: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' }),
});

/** Template assets (icon, screenshots, team picture, channel files): raw uploads, downloads by name. */
export const assetRoutes: ApiRoutes = async (app, deps) => {
  // Encapsulated: the raw-body parsers apply to these routes only, not to the rest of the API.
  await app.register(async (scoped) => {
    const api = scoped as unknown as ApiApp;
    api.addContentTypeParser(
      [...ASSET_CONTENT_TYPES],
      { parseAs: 'buffer', bodyLimit: TEMPLATE_LIMITS.assetBytes },
      (_request, body, done) => done(null, body),
    );

    api.put(
      '/templates/:templateId/assets/:assetName',
      {
        bodyLimit: TEMPLATE_LIMITS.assetBytes,
        config: { access: 'templates:write', cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'putTemplateAsset',
          summary:
            'Upload an asset (raw body; png, jpeg, gif, webp, pdf, docx, xlsx, pptx, txt, md, csv; ≤ 5 MiB): a new version naming it',
          params: AssetParams,
          headers: IfMatchHeader,
          body: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The file content.' }),
          response: { 200: SaveResultSchema, ...errorResponses(400, 404, 409, 413, 415) },
        },
        // The body is a Buffer (checked by magic bytes); params and headers are plain strings.
        validatorCompiler: ({ schema, httpPart }) => {
          if (httpPart === 'body') return () => true;
          return (data: unknown) =>
            Value.Check(schema as TSchema, data)
              ? { value: data }
              : { error: errors.validation(`Invalid ${httpPart ?? 'request'}`) };
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        if (!Buffer.isBuffer(request.body)) throw errors.validation('Send the file as the raw request body');
        const base = versionFromIfMatch(request.headers['if-match']);
        if (base !== undefined && Number.isNaN(base))
          throw errors.validation('If-Match must be a version, e.g. "3"');
        const result = await deps.domain.templates.putAsset(
          caller.tenantId,
          request.params.templateId,
          {
            name: request.params.assetName,
            data: request.body,
            contentType: String(request.headers['content-type'] ?? ''),
            baseVersion: base,
          },
          { actor: auditActorOf(caller), source: sourceOf(request) },
        );
        return reply.header('etag', `"${result.template.currentVersion}"`).send(result);
      },
    );
  });

  app.get(
    '/templates/:templateId/assets/:assetName',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'getTemplateAsset',
        summary: 'Download an asset of the current (or given) version',
        params: AssetParams,
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const asset = await deps.domain.templates.getAsset(
        caller.tenantId,
        request.params.templateId,
        request.params.assetName,
        request.query.version,
      );
      const image = asset.contentType.startsWith('image/');
      return reply
        .header('content-type', asset.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename="${asset.name}"`)
        .header('etag', `"${asset.sha256}"`)
        .header('cache-control', 'private, max-age=300')
        .send(asset.data);
    },
  );
};
