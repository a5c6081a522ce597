import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { auditActorOf } from '../../api/caller.ts';
import { PageQuery, pageOf } from '../../api/pagination.ts';
import { callerOf, sourceOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import {
  DiffSchema,
  DocumentSchema,
  IfMatchHeader,
  IssueSchema,
  SaveResultSchema,
  TemplateParams,
  TemplateSchema,
  TemplateStatusSchema,
  VersionSchema,
  versionFromIfMatch,
} from './template-schemas.ts';

const TAGS = ['Templates'];
const Comment = Type.Optional(
  Type.String({ maxLength: 1000, description: 'Why; shown in the version history.' }),
);

/** The version a write was based on, from `If-Match` or `baseVersion` (they must agree). */
function baseVersionOf(header: string | undefined, body: number | undefined): number | undefined {
  const fromHeader = versionFromIfMatch(header);
  if (fromHeader !== undefined && Number.isNaN(fromHeader)) {
    throw errors.validation('If-Match must be a version number in quotes, e.g. "3"');
  }
  if (fromHeader !== undefined && body !== undefined && fromHeader !== body) {
    throw errors.validation('If-Match and baseVersion disagree');
  }
  return fromHeader ?? body;
}

/** Template authoring: create, read, update (new versions), status, history, diff, rollback, validate. */
export const templateRoutes: ApiRoutes = async (app, deps) => {
  const templates = () => deps.domain.templates;

  app.post(
    '/templates/validate',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: TAGS,
        operationId: 'validateTemplate',
        summary: 'Check a template document without saving it',
        body: Type.Object({ document: DocumentSchema }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            issues: Type.Array(IssueSchema),
            document: Type.Union([DocumentSchema, Type.Null()], {
              description: 'With defaults filled in, when valid.',
            }),
          }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => templates().validate(callerOf(request).tenantId, request.body.document),
  );

  app.post(
    '/templates',
    {
      config: { access: 'templates:write', cost: 'write', idempotent: true },
      schema: {
        tags: TAGS,
        operationId: 'createTemplate',
        summary: 'Create a template (version 1)',
        body: Type.Object({ document: DocumentSchema, comment: Comment }, { additionalProperties: false }),
        response: { 201: TemplateSchema, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const created = await templates().create(caller.tenantId, request.body, {
        actor: auditActorOf(caller),
        source: sourceOf(request),
      });
      return reply
        .code(201)
        .header('location', `/api/v1/templates/${created.templateId}`)
        .header('etag', `"${created.currentVersion}"`)
        .send(created);
    },
  );

  app.get(
    '/templates',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'listTemplates',
        summary:
          'Templates with their current version; catalog managers, admins and tokens see all, others the active templates of their audience',
        querystring: Type.Object({
          ...PageQuery.properties,
          status: Type.Optional(TemplateStatusSchema),
          category: Type.Optional(Type.String({ maxLength: 50 })),
          tag: Type.Optional(Type.String({ maxLength: 50 })),
          language: Type.Optional(Type.String({ maxLength: 20 })),
          q: Type.Optional(Type.String({ maxLength: 100, description: 'Search in name and description.' })),
        }),
        response: { 200: pageOf(TemplateSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      if (templates().seesAll(caller)) return templates().list(caller.tenantId, request.query);
      // Others see what the catalog shows them, in full.
      const page = await templates().catalog(caller, request.query);
      const items = [];
      for (const entry of page.items) items.push(await templates().get(caller.tenantId, entry.templateId));
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/templates/:templateId',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'getTemplate',
        summary: 'A template with its current document and assets',
        params: TemplateParams,
        response: { 200: TemplateSchema, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const found = await templates().get(caller.tenantId, request.params.templateId);
      if (!templates().seesAll(caller)) {
        // Outside their audience (or inactive) the template does not exist for this caller.
        await templates().catalogEntry(caller, found.slug);
      }
      return reply.header('etag', `"${found.currentVersion}"`).send(found);
    },
  );

  app.put(
    '/templates/:templateId',
    {
      config: { access: 'templates:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'updateTemplate',
        summary: 'Save a new version (nothing is created when the document is unchanged)',
        params: TemplateParams,
        headers: IfMatchHeader,
        body: Type.Object(
          {
            document: DocumentSchema,
            baseVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'Alternative to If-Match.' })),
            comment: Comment,
          },
          { additionalProperties: false },
        ),
        response: { 200: SaveResultSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await templates().update(
        caller.tenantId,
        request.params.templateId,
        {
          document: request.body.document,
          baseVersion: baseVersionOf(request.headers['if-match'], request.body.baseVersion),
          comment: request.body.comment,
        },
        { actor: auditActorOf(caller), source: sourceOf(request) },
      );
      return reply.header('etag', `"${result.template.currentVersion}"`).send(result);
    },
  );

  app.post(
    '/templates/:templateId/status',
    {
      config: { access: 'templates:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'setTemplateStatus',
        summary: 'Enable, disable or archive a template (only active templates are in the catalog)',
        params: TemplateParams,
        body: Type.Object({ status: TemplateStatusSchema }, { additionalProperties: false }),
        response: { 200: TemplateSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return templates().setStatus(caller.tenantId, request.params.templateId, request.body.status, {
        actor: auditActorOf(caller),
        source: sourceOf(request),
      });
    },
  );

  app.get(
    '/templates/:templateId/versions',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: TAGS,
        operationId: 'listTemplateVersions',
        summary: 'Version history, newest first',
        params: TemplateParams,
        querystring: PageQuery,
        response: { 200: pageOf(VersionSchema), ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      templates().listVersions(callerOf(request).tenantId, request.params.templateId, request.query),
  );

  app.get(
    '/templates/:templateId/versions/:version',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: TAGS,
        operationId: 'getTemplateVersion',
        summary: 'One version, with its document',
        params: Type.Object({ ...TemplateParams.properties, version: Type.Integer({ minimum: 1 }) }),
        response: { 200: VersionSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      templates().getVersion(callerOf(request).tenantId, request.params.templateId, request.params.version),
  );

  app.get(
    '/templates/:templateId/diff',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: TAGS,
        operationId: 'diffTemplateVersions',
        summary: 'Differences between two versions: RFC 6902 JSON Patch and a summary',
        params: TemplateParams,
        querystring: Type.Object({
          from: Type.Integer({ minimum: 1 }),
          to: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the current version.' })),
        }),
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer(), ...DiffSchema.properties }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const { tenantId } = callerOf(request);
      const to =
        request.query.to ?? (await templates().get(tenantId, request.params.templateId)).currentVersion;
      return templates().diff(tenantId, request.params.templateId, request.query.from, to);
    },
  );

  app.post(
    '/templates/:templateId/rollback',
    {
      config: { access: 'templates:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'rollbackTemplate',
        summary: 'Make a new version whose document and assets equal an older version',
        params: TemplateParams,
        headers: IfMatchHeader,
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1 }),
            baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
            comment: Comment,
          },
          { additionalProperties: false },
        ),
        response: { 200: SaveResultSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await templates().rollback(
        caller.tenantId,
        request.params.templateId,
        {
          version: request.body.version,
          baseVersion: baseVersionOf(request.headers['if-match'], request.body.baseVersion),
          comment: request.body.comment,
        },
        { actor: auditActorOf(caller), source: sourceOf(request) },
      );
      return reply.header('etag', `"${result.template.currentVersion}"`).send(result);
    },
  );
};
