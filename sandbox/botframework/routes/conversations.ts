import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { callerOf, guardWrite, stampOutbound, validateOutbound } from '../connector.ts';
import { connectorErrors } from '../errors.ts';
import { findUserByMemberId, threadConversationId } from '../ids.ts';
import { findChannel } from '../roster.ts';
import { botRuntime } from '../runtime.ts';
import type { BotConversation } from '../state.ts';
import { channelConversation, personalConversation, recordActivity, registrationFor } from '../world.ts';

interface CreateConversationBody {
  bot?: { id?: string; name?: string };
  members?: { id?: string }[];
  isGroup?: boolean;
  tenantId?: string;
  topicName?: string;
  channelData?: { tenant?: { id?: string }; channel?: { id?: string } };
  activity?: Record<string, unknown>;
}

const createConversationSchema = {
  body: {
    type: 'object',
    properties: {
      bot: { type: 'object' },
      members: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
      isGroup: { type: 'boolean' },
      tenantId: { type: 'string' },
      topicName: { type: 'string' },
      channelData: { type: 'object' },
      activity: { type: 'object' },
    },
  },
} as const;

/**
 * `POST /v3/conversations`: a proactive 1:1 chat (`{id:"a:…"}`, the same id each time for a user),
 * or a new channel thread (`isGroup`, `channelData.channel.id`, `activity` → `{id, activityId}`).
 */
export function conversationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Body: CreateConversationBody }>(
    '/v3/conversations',
    { schema: createConversationSchema },
    async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body ?? {};
      const tenantId = body.tenantId ?? body.channelData?.tenant?.id ?? caller.tenant.id;
      const tenant = ctx.store.tenant(tenantId);
      if (!tenant) throw connectorErrors.badArgument(`Unknown tenant ${tenantId}.`);
      const registration = registrationFor(tenant, caller.clientId);
      if (!registration) throw connectorErrors.notInRoster();
      const handle = { tenant, registration };

      const channelId = body.channelData?.channel?.id;
      if (channelId) {
        const located = findChannel(ctx, channelId, tenant);
        if (!located || located.tenant !== tenant) throw connectorErrors.conversationNotFound();
        if (!body.activity)
          throw connectorErrors.badArgument('An activity is required to start a channel thread.');
        const activity = validateOutbound(body.activity);
        guardWrite(ctx, handle, channelId);
        const id = botRuntime(ctx).nextMessageId();
        const conversation = channelConversation(tenant, registration.appId, {
          id: threadConversationId(channelId, id),
          teamId: located.tree.id,
          channelId,
        });
        record(conversation, stampOutbound(ctx, handle, conversation, activity, id));
        ctx.store.changed();
        return reply.status(201).send({ id: conversation.id, activityId: id });
      }

      // Teams bots cannot create group chats: only a 1:1 with exactly one user.
      const members = body.members ?? [];
      if (body.isGroup || members.length !== 1 || !members[0]?.id) {
        throw connectorErrors.badArgument(
          'Incorrect conversation creation parameters: a 1:1 needs exactly one member, a thread needs channelData.channel.id.',
        );
      }
      const user = findUserByMemberId(tenant, members[0].id);
      if (!user) throw connectorErrors.memberNotFound();
      const conversation = personalConversation(tenant, registration.appId, user.id);
      guardWrite(ctx, { ...handle, conversation }, body.activity ? conversation.id : null);
      if (body.activity) {
        const activity = validateOutbound(body.activity);
        const id = botRuntime(ctx).nextMessageId();
        record(conversation, stampOutbound(ctx, handle, conversation, activity, id));
        ctx.store.changed();
        return reply.status(201).send({ id: conversation.id, activityId: id });
      }
      ctx.store.changed();
      return reply.status(201).send({ id: conversation.id });
    },
  );
}

function record(conversation: BotConversation, stamped: Record<string, unknown>): void {
  recordActivity(conversation, {
    id: String(stamped.id),
    direction: 'fromBot',
    type: String(stamped.type),
    name: null,
    timestamp: String(stamped.timestamp),
    replyToId: null,
    activity: stamped,
  });
}
