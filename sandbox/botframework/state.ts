/** A bot's Azure Bot registration, as the Bot Framework knows it (messaging endpoint and app id). */
export interface BotRegistration {
  /** The bot's Entra app id (the `aud` of inbound tokens, `28:{appId}` in Teams). */
  appId: string;
  displayName: string;
  /** HTTPS messaging endpoint the sandbox delivers activities to. */
  endpoint: string;
  /** PEM of a CA trusted for that endpoint (besides nothing else): Trellis's local CA in the demo. */
  caCert: string | null;
  /** The tenant admin blocked the app: every Connector write answers 403 BotDisabledByAdmin. */
  disabledByAdmin: boolean;
}

/** `installed` (default), `uninstalled` (app removed) or `blocked` (user blocked the bot's chat). */
export type InstallationState = 'installed' | 'uninstalled' | 'blocked';

/** Exceptions to "installed for everyone" (Trellis is deployed org-wide in the demo tenant). */
export interface BotInstallation {
  appId: string;
  userId: string;
  state: InstallationState;
}

/** How a bot's endpoint answered one delivery. */
export interface DeliveryResult {
  endpoint: string;
  /** HTTP status, or 0 when the endpoint could not be reached or timed out. */
  status: number;
  /** JSON (invoke responses) or text body; null when empty. */
  body: unknown;
  elapsedMs: number;
  /** Network or timeout error, as Teams would show "Unable to reach the app". */
  error: string | null;
}

export interface RecordedActivity {
  id: string;
  /** `toBot`: a user acted and the activity was delivered; `fromBot`: sent through the Connector. */
  direction: 'toBot' | 'fromBot';
  type: string;
  /** Invoke name (`adaptiveCard/action` …), null otherwise. */
  name: string | null;
  timestamp: string;
  replyToId: string | null;
  /** The activity as delivered or as the bot sent it (attachments, Adaptive Cards included). */
  activity: Record<string, unknown>;
  updatedAt: string | null;
  deleted: boolean;
  /** For `toBot`: the bot's answer. */
  delivery: DeliveryResult | null;
}

/** One conversation: a 1:1 chat with the bot, or one thread of a channel. */
export interface BotConversation {
  /** `a:…` (personal) or `19:…@thread.tacv2;messageid=…` (channel thread). */
  id: string;
  botAppId: string;
  conversationType: 'personal' | 'channel';
  tenantId: string;
  /** Personal: the user (Entra object id). */
  userId: string | null;
  /** Channel: the team's group id and the channel id. */
  teamId: string | null;
  channelId: string | null;
  createdDateTime: string;
  activities: RecordedActivity[];
}

/** Bot Framework state of one tenant: registrations, installations, conversations. */
export interface BotState {
  registrations: BotRegistration[];
  installations: BotInstallation[];
  conversations: BotConversation[];
}

export function emptyBotState(): BotState {
  return { registrations: [], installations: [], conversations: [] };
}
