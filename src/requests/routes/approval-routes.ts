import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { PageQuery, pageOf } from '../../api/pagination.ts';
import { callerOf, sourceOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import {
  EditsSchema,
  RequestParams,
  RequestSchema,
  RevisionHeader,
  revisionFrom,
} from './request-schemas.ts';

const TAGS = ['Approvals'];

/** Approvals: what waits on me, approve (optionally with edits), reject. */
export const approvalRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/approvals',
    {
      config: { access: 'approvals:write' },
      schema: {
        tags: TAGS,
        operationId: 'listPendingApprovals',
        summary: 'Requests waiting for a decision: for a user, those whose open stage names them',
        querystring: PageQuery,
        response: { 200: pageOf(RequestSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return deps.domain.requests.list(caller, {
        ...(caller.kind === 'user' ? { awaitingMe: true } : { status: ['pending_approval'] }),
        cursor: request.query.cursor,
        limit: request.query.limit,
      });
    },
  );

  app.post(
    '/requests/:requestId/approve',
    {
      config: { access: 'approvals:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'approveRequest',
        summary:
          'Approve the open stage; approvers of a stage that allows it may edit the request in the same step',
        params: RequestParams,
        headers: RevisionHeader,
        body: Type.Object(
          {
            comment: Type.Optional(Type.String({ maxLength: 4000 })),
            stage: Type.Optional(Type.Integer({ minimum: 0, description: 'The stage you are deciding' })),
            revision: Type.Optional(Type.Integer({ minimum: 1, description: 'The revision you saw' })),
            edits: Type.Optional(EditsSchema),
          },
          { additionalProperties: false },
        ),
        response: { 200: RequestSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) =>
      deps.domain.requests.approve(callerOf(request), request.params.requestId, request.body, {
        source: sourceOf(request),
        expectedRevision: revisionFrom(request.headers, request.body),
      }),
  );

  app.post(
    '/requests/:requestId/reject',
    {
      config: { access: 'approvals:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'rejectRequest',
        summary: 'Reject the request at its open stage, with the reason',
        params: RequestParams,
        headers: RevisionHeader,
        body: Type.Object(
          {
            comment: Type.String({ minLength: 1, maxLength: 4000 }),
            stage: Type.Optional(Type.Integer({ minimum: 0 })),
            revision: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RequestSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) =>
      deps.domain.requests.reject(callerOf(request), request.params.requestId, request.body, {
        source: sourceOf(request),
        expectedRevision: revisionFrom(request.headers, request.body),
      }),
  );
};
