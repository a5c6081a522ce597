import type { DirectoryUser, TenantState } from '../state/types.ts';
import { botMri, userMri } from './ids.ts';
import type { BotConversation, BotRegistration } from './state.ts';

/** Where an inbound activity happens: a 1:1 chat, or a channel thread of a team. */
export interface InboundScope {
  tenant: TenantState;
  registration: BotRegistration;
  conversation: BotConversation;
  /** Channel scope only. */
  team?: { botTeamId: string; groupId: string; name: string };
  /** `https://…/`: the Connector base the bot must answer to. */
  serviceUrl: string;
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

function clientInfo(user: DirectoryUser): Record<string, unknown> {
  return {
    type: 'clientInfo',
    locale: user.preferredLanguage ?? 'en-US',
    country: user.country ?? 'US',
    platform: 'Web',
    timezone: 'UTC',
  };
}

/** The envelope every activity from Teams shares (ids, accounts, conversation, channelData). */
function envelope(scope: InboundScope, user: DirectoryUser, id: string): Record<string, unknown> {
  const { tenant, registration, conversation } = scope;
  const now = new Date().toISOString();
  const personal = conversation.conversationType === 'personal';
  return {
    id,
    timestamp: now,
    localTimestamp: now.replace('Z', '+00:00'),
    channelId: 'msteams',
    serviceUrl: scope.serviceUrl,
    from: { id: userMri(tenant.id, user.id), name: user.displayName, aadObjectId: user.id },
    conversation: personal
      ? { conversationType: 'personal', tenantId: tenant.id, id: conversation.id }
      : { isGroup: true, conversationType: 'channel', tenantId: tenant.id, id: conversation.id },
    recipient: { id: botMri(registration.appId), name: registration.displayName },
    entities: [clientInfo(user)],
    channelData:
      personal || !scope.team
        ? { tenant: { id: tenant.id } }
        : {
            teamsChannelId: conversation.channelId,
            teamsTeamId: scope.team.botTeamId,
            channel: { id: conversation.channelId },
            team: { id: scope.team.botTeamId, aadGroupId: scope.team.groupId },
            tenant: { id: tenant.id },
          },
    locale: user.preferredLanguage ?? 'en-US',
    localTimezone: 'UTC',
  };
}

/** A user's message; in a channel the bot is @mentioned, as Teams requires for the bot to receive it. */
export function messageActivity(
  scope: InboundScope,
  user: DirectoryUser,
  id: string,
  text: string,
): Record<string, unknown> {
  const activity = envelope(scope, user, id);
  activity.type = 'message';
  activity.textFormat = 'plain';
  if (scope.conversation.conversationType === 'personal') {
    activity.text = text;
    return activity;
  }
  const mention = `<at>${scope.registration.displayName}</at>`;
  activity.text = `${mention} ${text}`;
  activity.entities = [
    {
      type: 'mention',
      mentioned: { id: botMri(scope.registration.appId), name: scope.registration.displayName },
      text: mention,
    },
    ...(activity.entities as unknown[]),
  ];
  return activity;
}

/** An invoke (message extension, card action): Teams waits for the HTTP answer and shows it. */
export function invokeActivity(
  scope: InboundScope,
  user: DirectoryUser,
  id: string,
  name: string,
  value: unknown,
  extra: { replyToId?: string; source?: string } = {},
): Record<string, unknown> {
  const activity = envelope(scope, user, id);
  activity.type = 'invoke';
  activity.name = name;
  activity.value = value;
  const channelData = activity.channelData as Record<string, unknown>;
  if (extra.source) channelData.source = { name: extra.source };
  if (extra.replyToId) {
    activity.replyToId = extra.replyToId;
    channelData.legacy = { replyToId: extra.replyToId };
  }
  return activity;
}

/** `conversationUpdate` with the bot in `membersAdded`: what Teams sends when the app is installed. */
export function installActivity(
  scope: InboundScope,
  user: DirectoryUser,
  id: string,
): Record<string, unknown> {
  const activity = envelope(scope, user, id);
  activity.type = 'conversationUpdate';
  activity.membersAdded = [{ id: botMri(scope.registration.appId) }];
  delete activity.entities;
  delete activity.locale;
  delete activity.localTimezone;
  if (scope.team) {
    activity.channelData = {
      team: { id: scope.team.botTeamId, name: scope.team.name, aadGroupId: scope.team.groupId },
      eventType: 'teamMemberAdded',
      tenant: { id: scope.tenant.id },
      settings: { selectedChannel: { id: scope.conversation.channelId } },
    };
  }
  return activity;
}

/** The Adaptive Cards of an activity's attachments. */
export function adaptiveCardsOf(activity: Record<string, unknown>): Record<string, unknown>[] {
  const attachments = Array.isArray(activity.attachments) ? activity.attachments : [];
  return attachments
    .filter(
      (a): a is { contentType: string; content: Record<string, unknown> } =>
        typeof a === 'object' && a !== null && (a as { contentType?: unknown }).contentType === ADAPTIVE_CARD,
    )
    .map((a) => a.content);
}

/** Replaces an activity's first Adaptive Card (Action.Execute answered with a new card). */
export function replaceAdaptiveCard(activity: Record<string, unknown>, card: unknown): boolean {
  const attachments = Array.isArray(activity.attachments) ? activity.attachments : [];
  const index = attachments.findIndex(
    (a) =>
      typeof a === 'object' && a !== null && (a as { contentType?: unknown }).contentType === ADAPTIVE_CARD,
  );
  if (index < 0) return false;
  attachments[index] = { ...(attachments[index] as object), content: card };
  return true;
}

export { ADAPTIVE_CARD };
