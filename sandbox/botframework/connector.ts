import type { FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { AccessTokenError, type VerifiedCaller, verifyBearer } from '../entra/access-tokens.ts';
import type { TenantState } from '../state/types.ts';
import { ADAPTIVE_CARD } from './activities.ts';
import { ConnectorError, connectorErrors } from './errors.ts';
import { botMri, parseChannelConversationId, threadConversationId } from './ids.ts';
import { findChannel } from './roster.ts';
import { botRuntime } from './runtime.ts';
import type { BotConversation, BotRegistration } from './state.ts';
import {
  BOT_FRAMEWORK_AUDIENCE,
  channelConversation,
  findConversation,
  installationState,
  registrationFor,
  serviceUrlOf,
} from './world.ts';

/** Teams refuses bot messages above roughly 28 KB (text, cards and entities together). */
const MAX_ACTIVITY_BYTES = 28 * 1024;

const callers = new WeakMap<FastifyRequest, VerifiedCaller>();

/**
 * Authenticates a Connector call: an app-only token for https://api.botframework.com from the
 * client-credentials flow, whose client is a bot registered in its tenant.
 * @throws AccessTokenError(401) otherwise.
 */
export async function authenticateConnector(ctx: SandboxContext, request: FastifyRequest): Promise<void> {
  const caller = await verifyBearer(ctx, request, [BOT_FRAMEWORK_AUDIENCE]);
  if (caller.kind !== 'application') {
    throw new AccessTokenError(401, 'The Connector accepts application tokens only (client credentials).');
  }
  if (!registrationFor(caller.tenant, caller.clientId)) {
    throw new AccessTokenError(401, `Application ${caller.clientId} is not a bot registered in this tenant.`);
  }
  callers.set(request, caller);
}

/** The verified bot behind a Connector request (set by `authenticateConnector`). */
export function callerOf(request: FastifyRequest): VerifiedCaller {
  const caller = callers.get(request);
  if (!caller) throw new AccessTokenError(401, 'Access token is empty.');
  return caller;
}

/** A conversation the Connector knows, or a channel (root) the bot may start threads in. */
export interface ConversationHandle {
  tenant: TenantState;
  registration: BotRegistration;
  /** Undefined for a channel root: posting there starts a new thread. */
  conversation: BotConversation | undefined;
  channel: { id: string; teamId: string } | undefined;
}

/**
 * Resolves `{conversationId}` for the calling bot: a recorded conversation, or a channel (root or
 * thread) of a team it can reach. Threads never recorded before are created on first use.
 */
export function resolveConversation(
  ctx: SandboxContext,
  caller: VerifiedCaller,
  id: string,
): ConversationHandle {
  const parsed = parseChannelConversationId(id);
  const found = findConversation(ctx, id);
  // A recorded channel root (team install events) is still a root: posting there starts a thread.
  if (found && !(parsed && !parsed.rootMessageId)) {
    const registration = registrationFor(found.tenant, caller.clientId);
    if (!registration || found.conversation.botAppId !== caller.clientId) throw connectorErrors.notInRoster();
    const { channelId, teamId } = found.conversation;
    return {
      tenant: found.tenant,
      registration,
      conversation: found.conversation,
      channel: channelId && teamId ? { id: channelId, teamId } : undefined,
    };
  }
  const located = parsed ? findChannel(ctx, parsed.channelId, caller.tenant) : undefined;
  if (!parsed || !located) throw connectorErrors.conversationNotFound();
  const registration = registrationFor(located.tenant, caller.clientId);
  if (!registration) throw connectorErrors.notInRoster();
  const channel = { id: parsed.channelId, teamId: located.tree.id };
  const conversation = parsed.rootMessageId
    ? channelConversation(located.tenant, caller.clientId, {
        id: threadConversationId(parsed.channelId, parsed.rootMessageId),
        teamId: located.tree.id,
        channelId: parsed.channelId,
      })
    : undefined;
  return { tenant: located.tenant, registration, conversation, channel };
}

/** Refuses writes Teams would refuse: admin-disabled bot, uninstalled or blocked 1:1, rate exceeded. */
export function guardWrite(
  ctx: SandboxContext,
  handle: { tenant: TenantState; registration: BotRegistration; conversation?: BotConversation | undefined },
  /** Rate-limit key (the conversation id as addressed), or null for a write that sends nothing. */
  threadKey: string | null,
): void {
  if (handle.registration.disabledByAdmin) throw connectorErrors.disabledByAdmin();
  const conversation = handle.conversation;
  if (conversation?.conversationType === 'personal' && conversation.userId) {
    const state = installationState(handle.tenant, handle.registration.appId, conversation.userId);
    if (state === 'blocked') throw connectorErrors.blocked();
    if (state === 'uninstalled') throw connectorErrors.uninstalled();
  }
  if (threadKey === null) return;
  const retryAfter = botRuntime(ctx).throttle(`${handle.registration.appId}|${threadKey}`);
  if (retryAfter !== undefined) {
    throw new ConnectorError(429, 'TooManyRequests', 'Too many requests to this conversation; retry later.', {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}

/** Checks an activity the bot sends: a type, well-formed Adaptive Card attachments, Teams' size limit. */
export function validateOutbound(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw connectorErrors.badArgument('The request body must be an Activity object.');
  }
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string' || activity.type.length === 0) {
    throw connectorErrors.badArgument('Activity type is required.');
  }
  const attachments = activity.attachments;
  if (attachments !== undefined && !Array.isArray(attachments)) {
    throw connectorErrors.badArgument('Activity attachments must be an array.');
  }
  (attachments ?? []).forEach((attachment: unknown, index: number) => {
    const a = attachment as { contentType?: unknown; content?: unknown } | null;
    if (typeof a?.contentType !== 'string') {
      throw connectorErrors.badArgument(`Attachment ${index} has no contentType.`);
    }
    const content = a.content as { type?: unknown } | undefined;
    if (
      a.contentType === ADAPTIVE_CARD &&
      (typeof content !== 'object' || content?.type !== 'AdaptiveCard')
    ) {
      throw connectorErrors.badArgument(
        `Attachment ${index}: Adaptive Card content must be an object with type "AdaptiveCard".`,
      );
    }
  });
  if (Buffer.byteLength(JSON.stringify(activity)) > MAX_ACTIVITY_BYTES) {
    throw new ConnectorError(413, 'MessageSizeTooBig', 'Message size too large (about 28 KB at most).');
  }
  return activity;
}

/** The activity as Teams stores it: the bot's payload with ids, sender and conversation filled in. */
export function stampOutbound(
  ctx: SandboxContext,
  handle: { tenant: TenantState; registration: BotRegistration },
  conversation: BotConversation,
  activity: Record<string, unknown>,
  id: string,
): Record<string, unknown> {
  return {
    ...activity,
    id,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: serviceUrlOf(ctx),
    from: { id: botMri(handle.registration.appId), name: handle.registration.displayName },
    conversation:
      conversation.conversationType === 'personal'
        ? { conversationType: 'personal', tenantId: handle.tenant.id, id: conversation.id }
        : { isGroup: true, conversationType: 'channel', tenantId: handle.tenant.id, id: conversation.id },
  };
}
