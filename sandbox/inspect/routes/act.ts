import type { FastifyInstance } from 'fastify';
import {
  actCardAction,
  actDialog,
  actInstall,
  actMessage,
  actMessageExtension,
  type ConversationTarget,
} from '../../botframework/index.ts';
import type { SandboxContext } from '../../context.ts';
import { tenantParam } from './world.ts';

const params = {
  type: 'object',
  required: ['tenantId'],
  properties: { tenantId: { type: 'string' } },
} as const;

const conversationTarget = {
  anyOf: [
    { type: 'string', enum: ['personal'] },
    {
      type: 'object',
      required: ['teamId', 'channelId'],
      additionalProperties: false,
      properties: {
        teamId: { type: 'string', minLength: 1 },
        channelId: { type: 'string', minLength: 1 },
        threadId: { type: 'string', pattern: '^[1-9][0-9]*$' },
      },
    },
  ],
} as const;

/**
 * Act as a user of a tenant; each call delivers a signed activity to the bot exactly as Teams
 * would and answers with what the bot did (`delivery` status and body, `replies` it sent).
 */
export function actRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{
    Params: { tenantId: string };
    Body: { userId: string; text: string; conversation?: ConversationTarget; botAppId?: string };
  }>(
    '/sandbox/api/tenants/:tenantId/act/message',
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['userId', 'text'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1 },
            text: { type: 'string', minLength: 1, maxLength: 28_000 },
            conversation: conversationTarget,
            botAppId: { type: 'string' },
          },
        },
      },
    },
    async (request) => actMessage(ctx, tenantParam(ctx, request.params.tenantId), request.body),
  );

  app.post<{
    Params: { tenantId: string };
    Body: {
      userId: string;
      conversationId: string;
      activityId: string;
      verb: string;
      data?: Record<string, unknown>;
      actionId?: string;
      title?: string;
    };
  }>(
    '/sandbox/api/tenants/:tenantId/act/card-action',
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['userId', 'conversationId', 'activityId', 'verb'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1 },
            conversationId: { type: 'string', minLength: 1 },
            activityId: { type: 'string', minLength: 1 },
            verb: { type: 'string', minLength: 1 },
            data: { type: 'object', additionalProperties: true },
            actionId: { type: 'string' },
            title: { type: 'string' },
          },
        },
      },
    },
    async (request) => actCardAction(ctx, tenantParam(ctx, request.params.tenantId), request.body),
  );

  app.post<{
    Params: { tenantId: string };
    Body: Parameters<typeof actMessageExtension>[2];
  }>(
    '/sandbox/api/tenants/:tenantId/act/message-extension',
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['userId', 'kind', 'commandId'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1 },
            kind: { type: 'string', enum: ['query', 'fetchTask', 'submitAction'] },
            commandId: { type: 'string', minLength: 1 },
            parameters: {
              anyOf: [
                {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['name'],
                    properties: { name: { type: 'string' }, value: {} },
                  },
                },
                { type: 'object', additionalProperties: true },
              ],
            },
            data: { type: 'object', additionalProperties: true },
            commandContext: { type: 'string', enum: ['compose', 'commandbox', 'message'] },
            messageId: { type: 'string', minLength: 1 },
            conversation: conversationTarget,
            botAppId: { type: 'string' },
          },
        },
      },
    },
    async (request) => actMessageExtension(ctx, tenantParam(ctx, request.params.tenantId), request.body),
  );

  app.post<{ Params: { tenantId: string }; Body: Parameters<typeof actDialog>[2] }>(
    '/sandbox/api/tenants/:tenantId/act/dialog',
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['userId', 'conversationId', 'activityId', 'kind'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1 },
            conversationId: { type: 'string', minLength: 1 },
            activityId: { type: 'string', minLength: 1 },
            kind: { type: 'string', enum: ['fetch', 'submit'] },
            data: { type: 'object', additionalProperties: true },
          },
        },
      },
    },
    async (request) => actDialog(ctx, tenantParam(ctx, request.params.tenantId), request.body),
  );

  app.post<{ Params: { tenantId: string }; Body: { userId: string; teamId?: string; botAppId?: string } }>(
    '/sandbox/api/tenants/:tenantId/act/install',
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['userId'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1 },
            teamId: { type: 'string', minLength: 1 },
            botAppId: { type: 'string' },
          },
        },
      },
    },
    async (request) => actInstall(ctx, tenantParam(ctx, request.params.tenantId), request.body),
  );
}
