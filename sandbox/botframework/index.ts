import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { authenticateConnector } from './connector.ts';
import { requireJsonWrites, useErrorResponses } from './errors.ts';
import { activityRoutes } from './routes/activities.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { memberRoutes } from './routes/members.ts';
import { openIdMetadataRoutes } from './routes/openid-metadata.ts';
import { registrationRoutes } from './routes/registrations.ts';
import { teamRoutes } from './routes/teams.ts';
import { botRuntime } from './runtime.ts';

export {
  type ActResult,
  actCardAction,
  actDialog,
  actInstall,
  actMessage,
  actMessageExtension,
  type ConversationTarget,
} from './act.ts';
export { adaptiveCardsOf } from './activities.ts';
export { deliverActivity, mintActivityToken } from './deliver.ts';
export { ConnectorError, requireJsonWrites, useErrorResponses } from './errors.ts';
export { botMri, userMri } from './ids.ts';
export { registrationView } from './routes/registrations.ts';
export type * from './state.ts';
export {
  BOT_FRAMEWORK_AUDIENCE,
  BOT_FRAMEWORK_ISSUER,
  botState,
  DEFAULT_BOT_ENDPOINT,
  installationState,
  registrationFor,
  serviceUrlOf,
  setInstallationState,
} from './world.ts';

/** Bot Framework metadata and keys at `/v1/.well-known/…`, the Connector at `/v3/…`, bot registrations. */
export async function botFrameworkRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  useErrorResponses(app);
  requireJsonWrites(app);
  app.addHook('onClose', async () => botRuntime(ctx).close());
  openIdMetadataRoutes(app, ctx);
  registrationRoutes(app, ctx);
  await app.register(async (connector) => {
    // Every Connector call needs a client-credentials token for the Bot Framework audience.
    connector.addHook('onRequest', async (request) => authenticateConnector(ctx, request));
    conversationRoutes(connector, ctx);
    activityRoutes(connector, ctx);
    memberRoutes(connector, ctx);
    teamRoutes(connector, ctx);
  });
}
