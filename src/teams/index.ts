export { createTeamsBot, type TeamsBot, type TeamsBotDeps } from './bot/teams-bot.ts';
export { registerBotRoute } from './bot/routes.ts';
export { MESSAGING_ENDPOINT } from './bot/sdk-app.ts';
export { validateCard } from './cards/validate-card.ts';
export * as deepLinks from './deep-links.ts';
export { localeOf, translator, type Locale } from './i18n.ts';
