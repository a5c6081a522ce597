/** Bot Framework conversations and the activities the bot sent into them. */
export interface BotState {
  [collection: string]: unknown[];
}

export function emptyBotState(): BotState {
  return {};
}
