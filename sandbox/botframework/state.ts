/** Bot Framework conversations and the activities the bot sent into them. */
export interface BotState {
  // biome-ignore lint/suspicious/noExplicitAny: filled in by the Connector routes
  [collection: string]: any[];
}

export function emptyBotState(): BotState {
  return {};
}
