import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { PageQuery, pageOf } from '../../api/pagination.ts';
import { callerOf, sourceOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import type { RequestStatus } from '../../db/index.ts';
import { errors } from '../../errors/index.ts';
import type { RequestService } from '../request-service.ts';
import {
  ActivitySchema,
  CreateRequestBody,
  EditsSchema,
  PreviewSchema,
  RequestParams,
  RequestSchema,
  RequestStatusSchema,
  RevisionHeader,
  revisionFrom,
} from './request-schemas.ts';

const TAGS = ['Requests'];

/** `key:value` filters on metadata; numbers and booleans are matched as such. */
function metadataFilter(items: readonly string[] | undefined) {
  if (!items?.length) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const item of items) {
    const at = item.indexOf(':');
    if (at < 1) throw errors.validation('metadata filters are key:value', { metadata: item });
    const raw = item.slice(at + 1);
    out[item.slice(0, at)] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** Requests: create, validate, read, list, edit a draft, submit, cancel, comment, timeline. */
export const requestRoutes: ApiRoutes = async (app, deps) => {
  const service = (): RequestService => deps.domain.requests;
  {
    app.post(
      '/requests',
      {
        config: { access: 'requests:write', idempotent: true, cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'createRequest',
          summary: 'Request a team from a template (submitted at once unless submit is false)',
          body: CreateRequestBody,
          response: { 201: RequestSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const view = await service().create(callerOf(request), request.body, { source: sourceOf(request) });
        return reply
          .code(201)
          .header('location', `/api/v1/requests/${view.requestId}`)
          .header('etag', `"${view.revision}"`)
          .send(view);
      },
    );

    app.post(
      '/requests/validate',
      {
        config: { access: 'requests:write' },
        schema: {
          tags: TAGS,
          operationId: 'validateRequest',
          summary: 'Check a request without saving it: final names, conflicts, metadata errors, approvers',
          body: CreateRequestBody,
          response: { 200: PreviewSchema, ...errorResponses(400, 404) },
        },
      },
      async (request) => service().preview(callerOf(request), request.body),
    );

    app.get(
      '/requests',
      {
        config: { access: 'requests:read' },
        schema: {
          tags: TAGS,
          operationId: 'listRequests',
          summary:
            'List requests (requesters see their own and those they approve; admins and tokens see all)',
          querystring: Type.Object({
            ...PageQuery.properties,
            status: Type.Optional(Type.Array(RequestStatusSchema, { maxItems: 10 })),
            template: Type.Optional(Type.String({ maxLength: 100 })),
            requester: Type.Optional(Type.String({ maxLength: 256 })),
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'text in the name, or the request id',
              }),
            ),
            awaitingMe: Type.Optional(Type.Boolean()),
            metadata: Type.Optional(
              Type.Array(Type.String({ maxLength: 300 }), {
                maxItems: 10,
                description: 'key:value filters',
              }),
            ),
          }),
          response: { 200: pageOf(RequestSchema), ...errorResponses(400) },
        },
      },
      async (request) => {
        const q = request.query;
        return service().list(callerOf(request), {
          status: q.status as RequestStatus[] | undefined,
          template: q.template,
          requester: q.requester,
          q: q.q,
          awaitingMe: q.awaitingMe,
          metadata: metadataFilter(q.metadata),
          cursor: q.cursor,
          limit: q.limit,
        });
      },
    );

    app.get(
      '/requests/:requestId',
      {
        config: { access: 'requests:read' },
        schema: {
          tags: TAGS,
          operationId: 'getRequest',
          summary: 'Read a request with its approval stages',
          params: RequestParams,
          response: { 200: RequestSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const view = await service().get(callerOf(request), request.params.requestId);
        return reply.header('etag', `"${view.revision}"`).send(view);
      },
    );

    app.get(
      '/requests/:requestId/activity',
      {
        config: { access: 'requests:read' },
        schema: {
          tags: TAGS,
          operationId: 'listRequestActivity',
          summary: 'The request timeline: transitions, decisions, edits (with their diff) and comments',
          params: RequestParams,
          querystring: PageQuery,
          response: { 200: pageOf(ActivitySchema), ...errorResponses(400, 404) },
        },
      },
      async (request) => service().activity(callerOf(request), request.params.requestId, request.query),
    );

    app.patch(
      '/requests/:requestId',
      {
        config: { access: 'requests:write', cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'updateRequest',
          summary: 'Edit a draft (the requester); approvers edit through approve',
          params: RequestParams,
          headers: RevisionHeader,
          body: EditsSchema,
          response: { 200: RequestSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request) =>
        service().update(callerOf(request), request.params.requestId, request.body, {
          source: sourceOf(request),
          expectedRevision: revisionFrom(request.headers),
        }),
    );

    app.post(
      '/requests/:requestId/submit',
      {
        config: { access: 'requests:write', cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'submitRequest',
          summary: 'Submit a draft for approval',
          params: RequestParams,
          headers: RevisionHeader,
          response: { 200: RequestSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request) =>
        service().submit(callerOf(request), request.params.requestId, {
          source: sourceOf(request),
          expectedRevision: revisionFrom(request.headers),
        }),
    );

    app.post(
      '/requests/:requestId/cancel',
      {
        config: { access: 'requests:write', cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'cancelRequest',
          summary: 'Cancel a request that is not provisioned yet',
          params: RequestParams,
          body: Type.Object(
            { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
            { additionalProperties: false },
          ),
          response: { 200: RequestSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request) =>
        service().cancel(callerOf(request), request.params.requestId, request.body.reason, {
          source: sourceOf(request),
        }),
    );

    app.post(
      '/requests/:requestId/comments',
      {
        config: { access: 'requests:read', cost: 'write' },
        schema: {
          tags: TAGS,
          operationId: 'commentRequest',
          summary: 'Add a comment to the request timeline',
          params: RequestParams,
          body: Type.Object(
            { text: Type.String({ minLength: 1, maxLength: 4000 }) },
            { additionalProperties: false },
          ),
          response: { 201: ActivitySchema, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const entry = await service().comment(
          callerOf(request),
          request.params.requestId,
          request.body.text,
          {
            source: sourceOf(request),
          },
        );
        return reply.code(201).send(entry);
      },
    );
  }
};
