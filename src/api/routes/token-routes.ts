import { Type } from 'typebox';
import { API_TOKEN_SCOPES, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from '../../identity/index.ts';
import { errors } from '../../errors/index.ts';
import type { ApiRoutes } from '../api-types.ts';
import { API_SCOPES, auditActorOf } from '../caller.ts';
import { DEFAULT_PAGE_SIZE, decodeCursor, PageQuery, pageOf, toPage } from '../pagination.ts';
import { callerOf, sourceOf } from '../request-context.ts';
import { DateTime, errorResponses, Uuid } from '../schemas.ts';

const TAGS = ['Tokens'];
const Scope = Type.Enum(API_TOKEN_SCOPES);

export const ApiTokenSchema = Type.Object({
  tokenId: Uuid,
  name: Type.String(),
  hint: Type.String({ description: '`trl_AbCd…wxyz`: enough to recognise the token, useless to use it.' }),
  scopes: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  revokedAt: Type.Union([DateTime, Type.Null()]),
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});

export const CreatedApiTokenSchema = Type.Object({
  ...ApiTokenSchema.properties,
  token: Type.String({ description: 'The token itself: shown this once, never stored.' }),
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: API_SCOPES.length, uniqueItems: true }),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS, default: DEFAULT_TOKEN_DAYS }),
    ),
  },
  { additionalProperties: false },
);

const TokenParams = Type.Object({ tokenId: Uuid });
const LISTING = 'tokens';

/** API tokens: create (shown once), list, read, revoke. A token never carries more than its creator. */
export const tokenRoutes: ApiRoutes = async (app, deps) => {
  app.post(
    '/tokens',
    {
      config: { access: 'tokens:manage', idempotent: true, cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'createToken',
        summary: 'Create an API token (the response is the only time it is shown)',
        description:
          'The token gets only scopes the caller holds: a user’s (from their roles) or, for a token, its own.',
        body: CreateTokenBody,
        response: { 201: CreatedApiTokenSchema, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const beyond = request.body.scopes.filter((s) => !caller.scopes.has(s));
      if (beyond.length > 0) {
        throw errors.forbidden(`A token cannot grant scopes its creator lacks: ${beyond.join(', ')}`);
      }
      const created = await deps.domain.tokens.create(caller.tenantId, {
        name: request.body.name,
        scopes: request.body.scopes,
        ...(request.body.expiresInDays === undefined ? {} : { expiresInDays: request.body.expiresInDays }),
        actor: auditActorOf(caller),
        source: sourceOf(request),
      });
      return reply.code(201).header('location', `/api/v1/tokens/${created.tokenId}`).send(created);
    },
  );

  app.get(
    '/tokens',
    {
      config: { access: 'tokens:manage' },
      schema: {
        tags: TAGS,
        operationId: 'listTokens',
        summary: 'List API tokens, newest first (hints only)',
        querystring: PageQuery,
        response: { 200: pageOf(ApiTokenSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE;
      const position = request.query.cursor ? decodeCursor(LISTING, request.query.cursor, 2) : undefined;
      const rows = await deps.domain.tokens.listPage(caller.tenantId, {
        after: position ? { createdAt: String(position[0]), tokenId: String(position[1]) } : undefined,
        limit: limit + 1,
      });
      return toPage(rows, limit, LISTING, (t) => [t.createdAt, t.tokenId]);
    },
  );

  app.get(
    '/tokens/:tokenId',
    {
      config: { access: 'tokens:manage' },
      schema: {
        tags: TAGS,
        operationId: 'getToken',
        summary: 'Read an API token (hint, scopes, status, last use)',
        params: TokenParams,
        response: { 200: ApiTokenSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => deps.domain.tokens.get(callerOf(request).tenantId, request.params.tokenId),
  );

  app.delete(
    '/tokens/:tokenId',
    {
      config: { access: 'tokens:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'revokeToken',
        summary: 'Revoke an API token (idempotent; effective at once)',
        params: TokenParams,
        response: { 200: ApiTokenSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return deps.domain.tokens.revoke(
        caller.tenantId,
        request.params.tokenId,
        auditActorOf(caller),
        sourceOf(request),
      );
    },
  );
};
