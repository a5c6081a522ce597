import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { ConnectorError, connectorErrors } from '../errors.ts';
import type { BotRegistration } from '../state.ts';
import { botState, DEFAULT_BOT_ENDPOINT } from '../world.ts';

interface RegistrationBody {
  endpoint?: string;
  caCert?: string | null;
  displayName?: string;
  disabledByAdmin?: boolean;
  /** Limits the change to one tenant (an admin disabling the app there); every tenant otherwise. */
  tenantId?: string;
}

/** A registration as the inspection API shows it: the CA by subject, not its PEM. */
export function registrationView(tenantId: string, registration: BotRegistration): Record<string, unknown> {
  let caCertSubject: string | null = null;
  if (registration.caCert) {
    try {
      caCertSubject = new X509Certificate(registration.caCert).subject;
    } catch {
      caCertSubject = 'unreadable certificate';
    }
  }
  return {
    tenantId,
    appId: registration.appId,
    displayName: registration.displayName,
    endpoint: registration.endpoint,
    caCertSubject,
    disabledByAdmin: registration.disabledByAdmin,
  };
}

/**
 * `GET /sandbox/api/bots` and `PUT /sandbox/api/bots/{appId}` `{endpoint, caCert}`: where the
 * sandbox delivers activities (the Azure Bot's messaging endpoint) and which CA it trusts there.
 */
export function registrationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/sandbox/api/bots', async () => ({
    value: ctx.store.state.tenants.flatMap((t) =>
      botState(t).registrations.map((r) => registrationView(t.id, r)),
    ),
  }));

  app.put<{ Params: { appId: string }; Body: RegistrationBody }>(
    '/sandbox/api/bots/:appId',
    {
      schema: {
        params: { type: 'object', properties: { appId: { type: 'string', minLength: 1 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpoint: { type: 'string' },
            caCert: { type: ['string', 'null'] },
            displayName: { type: 'string', minLength: 1 },
            disabledByAdmin: { type: 'boolean' },
            tenantId: { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      const { appId } = request.params;
      const body = request.body ?? {};
      if (body.endpoint !== undefined) checkEndpoint(body.endpoint);
      if (body.caCert) checkCertificate(body.caCert);
      const tenants = body.tenantId ? [ctx.store.tenant(body.tenantId)] : ctx.store.state.tenants;
      if (tenants.some((t) => !t))
        throw new ConnectorError(404, 'NotFound', `Tenant ${body.tenantId} not found.`);
      const value = tenants.flatMap((tenant) => {
        if (!tenant) return [];
        const bot = botState(tenant);
        let registration = bot.registrations.find((r) => r.appId === appId);
        if (!registration) {
          registration = {
            appId,
            displayName: body.displayName ?? appId,
            endpoint: DEFAULT_BOT_ENDPOINT,
            caCert: null,
            disabledByAdmin: false,
          };
          bot.registrations.push(registration);
        }
        if (body.endpoint !== undefined) registration.endpoint = body.endpoint;
        if (body.caCert !== undefined) registration.caCert = body.caCert || null;
        if (body.displayName !== undefined) registration.displayName = body.displayName;
        if (body.disabledByAdmin !== undefined) registration.disabledByAdmin = body.disabledByAdmin;
        return [registrationView(tenant.id, registration)];
      });
      ctx.store.changed();
      return { value };
    },
  );
}

// Azure Bot Service accepts HTTPS messaging endpoints only.
function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw connectorErrors.badArgument(`endpoint: "${endpoint}" is not a URL.`);
  }
  if (url.protocol !== 'https:')
    throw connectorErrors.badArgument('endpoint: the messaging endpoint must be HTTPS.');
}

function checkCertificate(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw connectorErrors.badArgument(`caCert: expected a PEM certificate (${(error as Error).message}).`);
  }
}
