import type { SandboxContext } from '../context.ts';
import { TRELLIS_CLIENT_ID } from '../state/seed-contoso.ts';
import type { TenantState } from '../state/types.ts';
import { personalConversationId } from './ids.ts';
import type {
  BotConversation,
  BotRegistration,
  BotState,
  InstallationState,
  RecordedActivity,
} from './state.ts';

/** Where Trellis listens by default (`PORT` 8443, Teams SDK path). */
export const DEFAULT_BOT_ENDPOINT = 'https://localhost:8443/api/messages';
/** `iss` of every Connector→bot token, and the issuer in the Bot Framework OpenID metadata. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Audience of the client-credentials tokens a bot presents to the Connector. */
export const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/** The Connector's base URL, with the trailing slash Teams puts in `serviceUrl`. */
export function serviceUrlOf(ctx: SandboxContext): string {
  return `${ctx.config.origin}/`;
}

/** The tenant's bot state, filled in when a persisted world predates a collection. */
export function botState(tenant: TenantState): BotState {
  const bot = tenant.bot as Partial<BotState>;
  bot.registrations ??= [];
  bot.installations ??= [];
  bot.conversations ??= [];
  if (!bot.registrations.some((r) => r.appId === TRELLIS_CLIENT_ID)) {
    const app = tenant.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID);
    bot.registrations.unshift({
      appId: TRELLIS_CLIENT_ID,
      displayName: app?.displayName ?? 'Trellis',
      endpoint: DEFAULT_BOT_ENDPOINT,
      caCert: null,
      disabledByAdmin: false,
    });
  }
  return bot as BotState;
}

/** A bot registered in this tenant (Trellis's by default). */
export function registrationFor(tenant: TenantState, appId = TRELLIS_CLIENT_ID): BotRegistration | undefined {
  return botState(tenant).registrations.find((r) => r.appId === appId);
}

export function installationState(tenant: TenantState, appId: string, userId: string): InstallationState {
  return (
    botState(tenant).installations.find((i) => i.appId === appId && i.userId === userId)?.state ?? 'installed'
  );
}

export function setInstallationState(
  tenant: TenantState,
  appId: string,
  userId: string,
  state: InstallationState,
): void {
  const bot = botState(tenant);
  bot.installations = bot.installations.filter((i) => !(i.appId === appId && i.userId === userId));
  if (state !== 'installed') bot.installations.push({ appId, userId, state });
}

/** Looks a conversation up in every tenant: the Connector is one service for all of them. */
export function findConversation(
  ctx: SandboxContext,
  id: string,
): { tenant: TenantState; conversation: BotConversation } | undefined {
  for (const tenant of ctx.store.state.tenants) {
    const conversation = botState(tenant).conversations.find((c) => c.id === id);
    if (conversation) return { tenant, conversation };
  }
  return undefined;
}

/** The user's 1:1 chat with the bot, created on first use. */
export function personalConversation(tenant: TenantState, appId: string, userId: string): BotConversation {
  const id = personalConversationId(tenant.id, appId, userId);
  const bot = botState(tenant);
  let conversation = bot.conversations.find((c) => c.id === id);
  if (!conversation) {
    conversation = {
      id,
      botAppId: appId,
      conversationType: 'personal',
      tenantId: tenant.id,
      userId,
      teamId: null,
      channelId: null,
      createdDateTime: new Date().toISOString(),
      activities: [],
    };
    bot.conversations.push(conversation);
  }
  return conversation;
}

/** A channel conversation (a thread, or the channel itself for team events), created on first use. */
export function channelConversation(
  tenant: TenantState,
  appId: string,
  ref: { id: string; teamId: string; channelId: string },
): BotConversation {
  const bot = botState(tenant);
  let conversation = bot.conversations.find((c) => c.id === ref.id);
  if (!conversation) {
    conversation = {
      id: ref.id,
      botAppId: appId,
      conversationType: 'channel',
      tenantId: tenant.id,
      userId: null,
      teamId: ref.teamId,
      channelId: ref.channelId,
      createdDateTime: new Date().toISOString(),
      activities: [],
    };
    bot.conversations.push(conversation);
  }
  return conversation;
}

/** Appends an activity to a conversation's record. */
export function recordActivity(
  conversation: BotConversation,
  entry: Omit<RecordedActivity, 'updatedAt' | 'deleted' | 'delivery'> & Partial<RecordedActivity>,
): RecordedActivity {
  const recorded: RecordedActivity = { updatedAt: null, deleted: false, delivery: null, ...entry };
  conversation.activities.push(recorded);
  return recorded;
}
