import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { auditActorOf } from '../../api/caller.ts';
import { callerOf, sourceOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { FieldChoiceSchema, FieldValidationSchema, MetadataFieldTypeSchema } from '../template-schema.ts';
import { TenantFieldSchema } from './template-schemas.ts';

const TAGS = ['Metadata fields'];
const Key = Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' });

const FieldBody = {
  label: Type.String({ minLength: 1, maxLength: 100 }),
  type: MetadataFieldTypeSchema,
  required: Type.Boolean({ default: false }),
  helpText: Type.Optional(Type.String({ maxLength: 500 })),
  validation: Type.Optional(FieldValidationSchema),
  choices: Type.Optional(Type.Array(FieldChoiceSchema, { minItems: 1, maxItems: 200 })),
  appliesTo: Type.Optional(
    Type.Union([Type.Array(Type.String({ maxLength: 63 }), { maxItems: 200 }), Type.Null()], {
      description: 'Template slugs; null or absent: every template.',
    }),
  ),
};

/** Tenant metadata fields: defined by admins, collected on requests, usable in naming. */
export const metadataFieldRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/metadata-fields',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'listMetadataFields',
        summary: 'The tenant metadata fields (at most a few dozen: not paginated)',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
        }),
        response: { 200: Type.Object({ items: Type.Array(TenantFieldSchema) }), ...errorResponses(400) },
      },
    },
    async (request) => ({
      items: await deps.domain.templates.listFields(callerOf(request).tenantId, request.query),
    }),
  );

  app.get(
    '/metadata-fields/:key',
    {
      config: { access: 'catalog:read' },
      schema: {
        tags: TAGS,
        operationId: 'getMetadataField',
        summary: 'One tenant metadata field',
        params: Type.Object({ key: Key }),
        response: { 200: TenantFieldSchema, ...errorResponses(404) },
      },
    },
    async (request) => deps.domain.templates.getField(callerOf(request).tenantId, request.params.key),
  );

  app.post(
    '/metadata-fields',
    {
      config: { access: 'templates:write', cost: 'write', idempotent: true },
      schema: {
        tags: TAGS,
        operationId: 'createMetadataField',
        summary: 'Define a tenant metadata field',
        body: Type.Object({ key: Key, ...FieldBody }, { additionalProperties: false }),
        response: { 201: TenantFieldSchema, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const created = await deps.domain.templates.createField(caller.tenantId, request.body, {
        actor: auditActorOf(caller),
        source: sourceOf(request),
      });
      return reply.code(201).header('location', `/api/v1/metadata-fields/${created.key}`).send(created);
    },
  );

  app.put(
    '/metadata-fields/:key',
    {
      config: { access: 'templates:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'updateMetadataField',
        summary: 'Replace a tenant metadata field definition (the key stays); disable it with status',
        params: Type.Object({ key: Key }),
        body: Type.Object(
          {
            ...FieldBody,
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: TenantFieldSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return deps.domain.templates.updateField(caller.tenantId, request.params.key, request.body, {
        actor: auditActorOf(caller),
        source: sourceOf(request),
      });
    },
  );
};
