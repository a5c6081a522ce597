import { readFileSync } from 'node:fs';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { PUBLIC, withOverrides } from '@microsoft/teams.api';
import { App, type HttpRouteHandler, type IHttpServerAdapter } from '@microsoft/teams.apps';
import type { ILogger } from '@microsoft/teams.common';
import type { Config } from '../../config.ts';
import type { GraphClient } from '../../graph/index.ts';
import type { Logger } from '../../telemetry/index.ts';

/** Where Trellis receives activities; the Teams app manifest's bot points here. */
export const MESSAGING_ENDPOINT = '/api/messages';

/**
 * Hands the SDK's messaging route to Trellis's own HTTP server: Fastify calls `handler` with the
 * body and headers once Trellis has checked the Connector's token.
 */
export class TrellisServerAdapter implements IHttpServerAdapter {
  handler: HttpRouteHandler | undefined;
  registerRoute(_method: 'POST', path: string, handler: HttpRouteHandler): void {
    if (path === MESSAGING_ENDPOINT) this.handler = handler;
  }
}

/** The SDK logs through pino, one level quieter (its info is chatter for an operator). */
function sdkLogger(log: Logger): ILogger {
  const text = (parts: unknown[]) =>
    parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  const logger: ILogger = {
    error: (...parts: unknown[]) => log.warn({ source: 'teams-sdk' }, text(parts)),
    warn: (...parts: unknown[]) => log.info({ source: 'teams-sdk' }, text(parts)),
    info: (...parts: unknown[]) => log.debug({ source: 'teams-sdk' }, text(parts)),
    debug: () => {},
    trace: () => {},
    log: () => {},
    child: () => logger,
  } as unknown as ILogger;
  return logger;
}

/**
 * The Teams SDK app, wired the production way: Bot Framework's cloud endpoints (the sandbox's when
 * configured so), outbound tokens from Trellis's own MSAL client (client credentials in the bot's
 * home tenant), and the extra CA of `M365_CA_FILE` trusted for Connector calls.
 */
export function createSdkApp(deps: { config: Config; graph: GraphClient; log: Logger }): {
  app: App;
  adapter: TrellisServerAdapter;
} {
  const { m365 } = deps.config;
  const clientId = m365.clientId;
  const homeTenant = m365.tenantId;
  if (!clientId || !homeTenant) throw new Error('the Teams bot needs M365_CLIENT_ID and M365_TENANT_ID');
  const adapter = new TrellisServerAdapter();
  const ca = m365.caFile ? readFileSync(m365.caFile, 'utf8') : undefined;
  const agent = ca ? new https.Agent({ ca: [...rootCertificates, ca], keepAlive: true }) : undefined;
  const app = new App({
    clientId,
    tenantId: homeTenant,
    // Tokens for the Connector (and Graph, should the SDK need it) come from Trellis's MSAL client.
    token: (scope, tenantId) => {
      const resource = Array.isArray(scope) ? (scope[0] ?? '') : scope;
      const tenant = tenantId && !['common', 'botframework.com'].includes(tenantId) ? tenantId : homeTenant;
      return deps.graph.accessToken(tenant, resource);
    },
    cloud: withOverrides(PUBLIC, {
      loginEndpoint: m365.authorityHost,
      openIdMetadataUrl: m365.botOpenIdMetadataUrl,
    }),
    serviceUrl: m365.botServiceUrl.replace(/\/+$/, ''),
    messagingEndpoint: MESSAGING_ENDPOINT,
    httpServerAdapter: adapter,
    logger: sdkLogger(deps.log),
    client: {
      timeout: 15_000,
      ...(agent
        ? {
            middlewares: [
              {
                invoke(context, next) {
                  context.config.httpsAgent = agent;
                  return next();
                },
              },
            ],
          }
        : {}),
    },
  });
  return { app, adapter };
}
