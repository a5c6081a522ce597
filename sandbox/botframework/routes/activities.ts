import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import {
  type ConversationHandle,
  callerOf,
  guardWrite,
  resolveConversation,
  stampOutbound,
  validateOutbound,
} from '../connector.ts';
import { connectorErrors } from '../errors.ts';
import { threadConversationId } from '../ids.ts';
import { botRuntime } from '../runtime.ts';
import type { BotConversation } from '../state.ts';
import { channelConversation, recordActivity } from '../world.ts';

const conversationParams = {
  type: 'object',
  required: ['conversationId'],
  properties: { conversationId: { type: 'string', minLength: 1 } },
} as const;
const activityParams = {
  type: 'object',
  required: ['conversationId', 'activityId'],
  properties: {
    conversationId: { type: 'string', minLength: 1 },
    activityId: { type: 'string', minLength: 1 },
  },
} as const;
const activityBody = { type: 'object', additionalProperties: true } as const;

interface Params {
  conversationId: string;
  activityId?: string;
}

/**
 * `POST /v3/conversations/{id}/activities` (send), `POST …/activities/{activityId}` (reply),
 * `PUT …/activities/{activityId}` (update) and `DELETE …/activities/{activityId}`.
 */
export function activityRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: Params; Body: Record<string, unknown> }>(
    '/v3/conversations/:conversationId/activities',
    { schema: { params: conversationParams, body: activityBody } },
    async (request, reply) => {
      const replyTo = typeof request.body.replyToId === 'string' ? request.body.replyToId : undefined;
      return send(ctx, request.params.conversationId, request.body, replyTo, callerOf(request), reply);
    },
  );

  app.post<{ Params: Params; Body: Record<string, unknown> }>(
    '/v3/conversations/:conversationId/activities/:activityId',
    { schema: { params: activityParams, body: activityBody } },
    async (request, reply) =>
      send(
        ctx,
        request.params.conversationId,
        request.body,
        request.params.activityId,
        callerOf(request),
        reply,
        true,
      ),
  );

  app.put<{ Params: Params; Body: Record<string, unknown> }>(
    '/v3/conversations/:conversationId/activities/:activityId',
    { schema: { params: activityParams, body: activityBody } },
    async (request) => {
      const { conversationId, activityId = '' } = request.params;
      const handle = threadOf(resolveConversation(ctx, callerOf(request), conversationId), activityId);
      const conversation = handle.conversation;
      const target = conversation?.activities.find((a) => a.id === activityId && !a.deleted);
      if (!conversation || !target) throw connectorErrors.activityNotFound(activityId);
      if (target.direction !== 'fromBot') throw connectorErrors.notInRoster();
      const activity = validateOutbound(request.body);
      guardWrite(ctx, handle, conversationId);
      const stamped = stampOutbound(ctx, handle, conversation, activity, activityId);
      if (target.replyToId) stamped.replyToId = target.replyToId;
      target.activity = stamped;
      target.type = String(stamped.type);
      target.updatedAt = new Date().toISOString();
      ctx.store.changed();
      return { id: activityId };
    },
  );

  app.delete<{ Params: Params }>(
    '/v3/conversations/:conversationId/activities/:activityId',
    { schema: { params: activityParams } },
    async (request, reply) => {
      const { conversationId, activityId = '' } = request.params;
      const handle = threadOf(resolveConversation(ctx, callerOf(request), conversationId), activityId);
      const target = handle.conversation?.activities.find((a) => a.id === activityId && !a.deleted);
      if (!target) throw connectorErrors.activityNotFound(activityId);
      if (target.direction !== 'fromBot') throw connectorErrors.notInRoster();
      guardWrite(ctx, handle, conversationId);
      target.deleted = true;
      target.updatedAt = new Date().toISOString();
      ctx.store.changed();
      return reply.status(200).send();
    },
  );
}

/** An activity id addressed through a channel root names the thread it starts. */
function threadOf(handle: ConversationHandle, activityId: string): ConversationHandle {
  if (handle.conversation || !handle.channel) return handle;
  return {
    ...handle,
    conversation: channelConversation(handle.tenant, handle.registration.appId, {
      id: threadConversationId(handle.channel.id, activityId),
      teamId: handle.channel.teamId,
      channelId: handle.channel.id,
    }),
  };
}

async function send(
  ctx: SandboxContext,
  conversationId: string,
  body: unknown,
  replyToId: string | undefined,
  caller: ReturnType<typeof callerOf>,
  reply: FastifyReply,
  isReply = false,
) {
  let handle = resolveConversation(ctx, caller, conversationId);
  // Replying to a post through the channel id answers in that post's thread.
  if (isReply && replyToId) handle = threadOf(handle, replyToId);
  const activity = validateOutbound(body);
  guardWrite(ctx, handle, conversationId);
  const id = botRuntime(ctx).nextMessageId();
  let conversation: BotConversation | undefined = handle.conversation;
  if (!conversation && handle.channel) {
    // A post to the channel itself starts a new thread rooted at this message.
    conversation = channelConversation(handle.tenant, handle.registration.appId, {
      id: threadConversationId(handle.channel.id, id),
      teamId: handle.channel.teamId,
      channelId: handle.channel.id,
    });
  }
  if (!conversation) throw connectorErrors.conversationNotFound();
  const stamped = stampOutbound(ctx, handle, conversation, activity, id);
  if (replyToId) stamped.replyToId = replyToId;
  recordActivity(conversation, {
    id,
    direction: 'fromBot',
    type: String(stamped.type),
    name: typeof stamped.name === 'string' ? stamped.name : null,
    timestamp: String(stamped.timestamp),
    replyToId: replyToId ?? null,
    activity: stamped,
  });
  ctx.store.changed();
  return reply.status(201).send({ id });
}
