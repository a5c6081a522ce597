import type { SandboxContext } from '../context.ts';
import { teamTree } from '../graph/inspect.ts';
import type { DirectoryUser, TenantState } from '../state/types.ts';
import {
  ADAPTIVE_CARD,
  type InboundScope,
  installActivity,
  invokeActivity,
  messageActivity,
  replaceAdaptiveCard,
} from './activities.ts';
import { deliverActivity, INVOKE_TIMEOUT_MS, MESSAGE_TIMEOUT_MS } from './deliver.ts';
import { ConnectorError } from './errors.ts';
import { invokeActivityId, threadConversationId } from './ids.ts';
import { botTeamIdOf } from './roster.ts';
import { botRuntime } from './runtime.ts';
import type { BotConversation, BotRegistration, DeliveryResult, RecordedActivity } from './state.ts';
import {
  botState,
  channelConversation,
  installationState,
  personalConversation,
  recordActivity,
  registrationFor,
  serviceUrlOf,
  setInstallationState,
} from './world.ts';

/** Where a user acts: the 1:1 chat with the bot, or a channel (a new post, or a reply in `threadId`). */
export type ConversationTarget = 'personal' | { teamId: string; channelId: string; threadId?: string };

/** What the bot answered to one user action. */
export interface ActResult {
  conversationId: string;
  /** The activity as delivered to the bot. */
  activity: Record<string, unknown>;
  /** HTTP status and body of the bot's answer (the invoke response for invokes). */
  delivery: DeliveryResult;
  /** Activities the bot sent into the conversation through the Connector during the turn. */
  replies: RecordedActivity[];
}

const notFound = (what: string) => new ConnectorError(404, 'NotFound', `${what} not found.`);

function actingUser(tenant: TenantState, userId: string): DirectoryUser {
  const user = tenant.directory.users.find((u) => u.id === userId || u.userPrincipalName === userId);
  if (!user) throw notFound(`User ${userId}`);
  return user;
}

function registration(tenant: TenantState, appId: string | undefined): BotRegistration {
  const found = registrationFor(tenant, appId);
  if (!found) throw notFound(`Bot ${appId}`);
  return found;
}

/** Resolves the conversation a user acts in, refusing what Teams would not let the user do. */
function scopeFor(
  ctx: SandboxContext,
  tenant: TenantState,
  reg: BotRegistration,
  user: DirectoryUser,
  target: ConversationTarget,
  options: { newPostId?: string; install?: boolean } = {},
): InboundScope {
  const serviceUrl = serviceUrlOf(ctx);
  if (target === 'personal') {
    const state = installationState(tenant, reg.appId, user.id);
    if (!options.install && state !== 'installed') {
      throw new ConnectorError(
        409,
        state === 'blocked' ? 'ConversationBlockedByUser' : 'BotNotInstalled',
        state === 'blocked'
          ? `${user.displayName} blocked the bot; unblock it first.`
          : `${user.displayName} has not installed the bot; install it first (act/install).`,
      );
    }
    return {
      tenant,
      registration: reg,
      conversation: personalConversation(tenant, reg.appId, user.id),
      serviceUrl,
    };
  }
  const tree = teamTree(tenant, target.teamId);
  if (!tree) throw notFound(`Team ${target.teamId}`);
  const channelId = options.install ? botTeamIdOf(tree) : target.channelId;
  if (!tree.channels.some((c) => c.id === channelId) && !options.install) {
    throw notFound(`Channel ${target.channelId}`);
  }
  if (tree.members.length > 0 && !tree.members.some((m) => m.userId === user.id)) {
    throw new ConnectorError(403, 'Forbidden', `${user.displayName} is not a member of ${tree.displayName}.`);
  }
  const rootId = target.threadId ?? options.newPostId;
  const id = rootId ? threadConversationId(channelId, rootId) : channelId;
  return {
    tenant,
    registration: reg,
    conversation: channelConversation(tenant, reg.appId, { id, teamId: tree.id, channelId }),
    team: { botTeamId: botTeamIdOf(tree), groupId: tree.id, name: tree.displayName },
    serviceUrl,
  };
}

/** Records the user's activity, delivers it, and gathers what the bot sent meanwhile. */
async function deliverAndRecord(
  ctx: SandboxContext,
  scope: InboundScope,
  activity: Record<string, unknown>,
  timeoutMs: number,
): Promise<ActResult> {
  const conversation = scope.conversation;
  const recorded = recordActivity(conversation, {
    id: String(activity.id),
    direction: 'toBot',
    type: String(activity.type),
    name: typeof activity.name === 'string' ? activity.name : null,
    timestamp: String(activity.timestamp),
    replyToId: typeof activity.replyToId === 'string' ? activity.replyToId : null,
    activity,
  });
  ctx.store.changed();
  const before = conversation.activities.length;
  const delivery = await deliverActivity(ctx, scope.registration, activity, { timeoutMs });
  recorded.delivery = delivery;
  ctx.store.changed();
  return {
    conversationId: conversation.id,
    activity,
    delivery,
    replies: conversation.activities.slice(before).filter((a) => a.direction === 'fromBot'),
  };
}

/** A conversation the user can see: a 1:1 chat with the bot is only ever seen by its user. */
function visibleConversation(
  tenant: TenantState,
  user: DirectoryUser,
  conversationId: string,
): BotConversation {
  const conversation = botState(tenant).conversations.find((c) => c.id === conversationId);
  if (!conversation) throw notFound(`Conversation ${conversationId}`);
  if (conversation.conversationType === 'personal' && conversation.userId !== user.id) {
    throw new ConnectorError(
      403,
      'Forbidden',
      `${user.displayName} cannot see another user's chat with the bot.`,
    );
  }
  return conversation;
}

/** A user sends the bot a message: in the 1:1 chat, or as a channel post that @mentions the bot. */
export async function actMessage(
  ctx: SandboxContext,
  tenant: TenantState,
  input: { userId: string; text: string; conversation?: ConversationTarget; botAppId?: string },
): Promise<ActResult> {
  const user = actingUser(tenant, input.userId);
  const reg = registration(tenant, input.botAppId);
  const id = botRuntime(ctx).nextMessageId();
  const target = input.conversation ?? 'personal';
  const scope = scopeFor(ctx, tenant, reg, user, target, { newPostId: id });
  const activity = messageActivity(scope, user, id, input.text);
  if (target !== 'personal' && target.threadId) activity.replyToId = target.threadId;
  return deliverAndRecord(ctx, scope, activity, MESSAGE_TIMEOUT_MS);
}

/** A user presses an Action.Execute button on a card the bot sent: an `adaptiveCard/action` invoke. */
export async function actCardAction(
  ctx: SandboxContext,
  tenant: TenantState,
  input: {
    userId: string;
    conversationId: string;
    activityId: string;
    verb: string;
    data?: Record<string, unknown>;
    actionId?: string;
    title?: string;
  },
): Promise<ActResult> {
  const user = actingUser(tenant, input.userId);
  const conversation = visibleConversation(tenant, user, input.conversationId);
  const target = conversation.activities.find((a) => a.id === input.activityId && !a.deleted);
  if (!target) throw notFound(`Activity ${input.activityId}`);
  const reg = registration(tenant, conversation.botAppId);
  const scope = scopeForConversation(ctx, tenant, reg, conversation);
  const action: Record<string, unknown> = {
    type: 'Action.Execute',
    verb: input.verb,
    data: input.data ?? {},
  };
  if (input.actionId) action.id = input.actionId;
  if (input.title) action.title = input.title;
  const activity = invokeActivity(
    scope,
    user,
    invokeActivityId(),
    'adaptiveCard/action',
    { action, trigger: 'manual' },
    { replyToId: input.activityId, source: 'message' },
  );
  const result = await deliverAndRecord(ctx, scope, activity, INVOKE_TIMEOUT_MS);
  // Universal Actions: a card in the invoke response replaces the card the user pressed.
  const body = result.delivery.body as { statusCode?: number; type?: string; value?: unknown } | null;
  if (
    result.delivery.status === 200 &&
    body?.statusCode === 200 &&
    body.type === ADAPTIVE_CARD &&
    replaceAdaptiveCard(target.activity, body.value)
  ) {
    target.updatedAt = new Date().toISOString();
    ctx.store.changed();
  }
  return result;
}

/**
 * A dialog (task module) opened from a card: `Action.Submit` with `msteams.type: "task/fetch"` makes
 * Teams send `task/fetch` with the button's data; the dialog's own submit sends `task/submit` with
 * the button's data and the dialog's inputs. Both answer with `{ task: … }`.
 */
export async function actDialog(
  ctx: SandboxContext,
  tenant: TenantState,
  input: {
    userId: string;
    conversationId: string;
    activityId: string;
    kind: 'fetch' | 'submit';
    data?: Record<string, unknown>;
  },
): Promise<ActResult> {
  const user = actingUser(tenant, input.userId);
  const conversation = visibleConversation(tenant, user, input.conversationId);
  if (!conversation.activities.some((a) => a.id === input.activityId && !a.deleted)) {
    throw notFound(`Activity ${input.activityId}`);
  }
  const reg = registration(tenant, conversation.botAppId);
  const scope = scopeForConversation(ctx, tenant, reg, conversation);
  const activity = invokeActivity(
    scope,
    user,
    invokeActivityId(),
    input.kind === 'fetch' ? 'task/fetch' : 'task/submit',
    { data: input.data ?? {}, context: { theme: 'default' } },
    { replyToId: input.activityId, source: 'message' },
  );
  return deliverAndRecord(ctx, scope, activity, INVOKE_TIMEOUT_MS);
}

/** A user runs a message-extension command: search (`query`), open a dialog (`fetchTask`) or submit it. */
export async function actMessageExtension(
  ctx: SandboxContext,
  tenant: TenantState,
  input: {
    userId: string;
    kind: 'query' | 'fetchTask' | 'submitAction';
    commandId: string;
    parameters?: { name: string; value: unknown }[] | Record<string, unknown>;
    data?: Record<string, unknown>;
    commandContext?: 'compose' | 'commandbox' | 'message';
    /** With `commandContext: 'message'`: the message the command was run on (its id in a conversation). */
    messageId?: string;
    conversation?: ConversationTarget;
    botAppId?: string;
  },
): Promise<ActResult> {
  const user = actingUser(tenant, input.userId);
  const reg = registration(tenant, input.botAppId);
  const scope = scopeFor(ctx, tenant, reg, user, input.conversation ?? 'personal');
  const commandContext = input.messageId ? 'message' : (input.commandContext ?? 'compose');
  const messagePayload = input.messageId ? messagePayloadOf(tenant, input.messageId) : undefined;
  let name: string;
  let value: Record<string, unknown>;
  if (input.kind === 'query') {
    const parameters = Array.isArray(input.parameters)
      ? input.parameters
      : Object.entries(input.parameters ?? {}).map(([key, v]) => ({ name: key, value: v }));
    name = 'composeExtension/query';
    value = { commandId: input.commandId, parameters, queryOptions: { skip: 0, count: 25 } };
  } else if (input.kind === 'fetchTask') {
    name = 'composeExtension/fetchTask';
    value = { commandId: input.commandId, commandContext, context: { theme: 'default' } };
    if (messagePayload) value.messagePayload = messagePayload;
  } else {
    name = 'composeExtension/submitAction';
    value = {
      commandId: input.commandId,
      commandContext,
      context: { theme: 'default' },
      data: input.data ?? {},
    };
    if (messagePayload) value.messagePayload = messagePayload;
  }
  const activity = invokeActivity(scope, user, invokeActivityId(), name, value, { source: commandContext });
  return deliverAndRecord(ctx, scope, activity, INVOKE_TIMEOUT_MS);
}

/** A user installs the app (personal scope, or to a team): `conversationUpdate` with the bot added. */
export async function actInstall(
  ctx: SandboxContext,
  tenant: TenantState,
  input: { userId: string; teamId?: string; botAppId?: string },
): Promise<ActResult> {
  const user = actingUser(tenant, input.userId);
  const reg = registration(tenant, input.botAppId);
  const target: ConversationTarget = input.teamId ? { teamId: input.teamId, channelId: '' } : 'personal';
  if (target === 'personal') setInstallationState(tenant, reg.appId, user.id, 'installed');
  const scope = scopeFor(ctx, tenant, reg, user, target, { install: true });
  const activity = installActivity(scope, user, invokeActivityId());
  return deliverAndRecord(ctx, scope, activity, MESSAGE_TIMEOUT_MS);
}

function scopeForConversation(
  ctx: SandboxContext,
  tenant: TenantState,
  reg: BotRegistration,
  conversation: BotConversation,
): InboundScope {
  const scope: InboundScope = { tenant, registration: reg, conversation, serviceUrl: serviceUrlOf(ctx) };
  if (conversation.conversationType === 'channel' && conversation.teamId) {
    const tree = teamTree(tenant, conversation.teamId);
    if (tree) scope.team = { botTeamId: botTeamIdOf(tree), groupId: tree.id, name: tree.displayName };
  }
  return scope;
}

/**
 * The `messagePayload` Teams adds to an action command run on a message: the message's id, HTML
 * body, author and the people it @mentions (`<at>Display Name</at>` matched in the directory).
 */
function messagePayloadOf(tenant: TenantState, messageId: string): Record<string, unknown> {
  for (const conversation of botState(tenant).conversations) {
    const found = conversation.activities.find(
      (a) => a.id === messageId && a.type === 'message' && !a.deleted,
    );
    if (!found) continue;
    const activity = found.activity;
    const from = activity.from as { aadObjectId?: string; name?: string; id?: string } | undefined;
    const text = typeof activity.text === 'string' ? activity.text : '';
    const author = tenant.directory.users.find((u) => u.id === from?.aadObjectId);
    const mentions = [...text.matchAll(/<at>([^<]+)<\/at>/g)]
      .map((m, i) => {
        const mentioned = tenant.directory.users.find((u) => u.displayName === m[1]);
        return mentioned
          ? {
              id: i,
              mentionText: m[1],
              mentioned: {
                user: { id: mentioned.id, displayName: mentioned.displayName, userIdentityType: 'aadUser' },
              },
            }
          : null;
      })
      .filter((m) => m !== null);
    return {
      id: found.id,
      replyToId: found.replyToId ?? null,
      createdDateTime: found.timestamp,
      messageType: 'message',
      importance: 'normal',
      locale: 'en-us',
      body: { contentType: 'html', content: `<p>${text}</p>` },
      from: author
        ? { user: { id: author.id, displayName: author.displayName, userIdentityType: 'aadUser' } }
        : {
            application: {
              id: from?.id ?? '',
              displayName: from?.name ?? '',
              applicationIdentityType: 'bot',
            },
          },
      mentions,
      attachments: [],
      reactions: [],
    };
  }
  throw notFound(`Message ${messageId}`);
}
