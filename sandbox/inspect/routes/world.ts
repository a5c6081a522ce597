import type { FastifyInstance } from 'fastify';
import {
  type BotRegistration,
  botState,
  ConnectorError,
  registrationFor,
  setInstallationState,
} from '../../botframework/index.ts';
import type { SandboxContext } from '../../context.ts';
import { listTeams, teamTree } from '../../graph/inspect.ts';
import type { TenantState } from '../../state/types.ts';
import { activityView, conversationSummary, tenantView, userView } from '../views.ts';

const notFound = (what: string) => new ConnectorError(404, 'NotFound', `${what} not found.`);

const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** The tenant named in the path, by id or domain. */
export function tenantParam(ctx: SandboxContext, id: string): TenantState {
  const tenant = ctx.store.tenant(id);
  if (!tenant) throw notFound(`Tenant ${id}`);
  return tenant;
}

const tenantParams = {
  type: 'object',
  required: ['tenantId'],
  properties: {
    tenantId: { type: 'string' },
    teamId: { type: 'string' },
    conversationId: { type: 'string' },
    clientId: { type: 'string' },
    userId: { type: 'string' },
  },
} as const;

/**
 * Read the world: tenants (apps without secrets, service endpoints), users, teams, bot
 * conversations; reveal one app secret on purpose; set a user's bot installation; reset to the seed.
 */
export function worldRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/sandbox/api/tenants', async () => ({
    value: ctx.store.state.tenants.map((t) => tenantView(ctx, t)),
  }));

  // The one place a secret leaves the sandbox: Trellis's embedded start reads its client secret here.
  app.post<{ Params: { tenantId: string; clientId: string } }>(
    '/sandbox/api/tenants/:tenantId/apps/:clientId/secret',
    { schema: { params: tenantParams } },
    async (request, reply) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const registration = tenant.directory.apps.find((a) => a.clientId === request.params.clientId);
      if (!registration) throw notFound(`App ${request.params.clientId}`);
      const secret = registration.secrets[0];
      if (!secret)
        throw new ConnectorError(404, 'NoSecret', `App ${registration.clientId} has no client secret.`);
      reply.header('cache-control', 'no-store');
      return { tenantId: tenant.id, clientId: registration.clientId, clientSecret: secret };
    },
  );

  // What an admin does in the Entra portal for a deployment at another address: add its redirect
  // URI (web platform) and App ID URI to the app registration. Only https URIs are accepted. And what
  // an admin does under Enterprise applications > Permissions: revoke a delegated Graph permission
  // consented in the tenant (or grant one back), so that on-behalf-of fails with AADSTS65001.
  app.patch<{
    Params: { tenantId: string; clientId: string };
    Body: {
      addRedirectUris?: string[];
      addIdentifierUris?: string[];
      revokeGraphDelegated?: string[];
      grantGraphDelegated?: string[];
    };
  }>(
    '/sandbox/api/tenants/:tenantId/apps/:clientId',
    {
      schema: {
        params: tenantParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            addRedirectUris: {
              type: 'array',
              maxItems: 10,
              items: { type: 'string', pattern: '^https://[^\\s]+$', maxLength: 256 },
            },
            addIdentifierUris: {
              type: 'array',
              maxItems: 10,
              items: { type: 'string', pattern: '^api://[^\\s]+$', maxLength: 256 },
            },
            revokeGraphDelegated: {
              type: 'array',
              maxItems: 50,
              items: { type: 'string', pattern: '^[A-Za-z][A-Za-z.]{1,80}$' },
            },
            grantGraphDelegated: {
              type: 'array',
              maxItems: 50,
              items: { type: 'string', pattern: '^[A-Za-z][A-Za-z.]{1,80}$' },
            },
          },
        },
      },
    },
    async (request) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const registration = tenant.directory.apps.find((a) => a.clientId === request.params.clientId);
      if (!registration) throw notFound(`App ${request.params.clientId}`);
      for (const uri of request.body.addRedirectUris ?? [])
        if (!registration.redirectUris.includes(uri)) registration.redirectUris.push(uri);
      for (const uri of request.body.addIdentifierUris ?? [])
        if (!registration.identifierUris.includes(uri)) registration.identifierUris.push(uri);
      const { revokeGraphDelegated = [], grantGraphDelegated = [] } = request.body;
      if (revokeGraphDelegated.length > 0 || grantGraphDelegated.length > 0) {
        const permissions = (registration.delegatedPermissions ??= {});
        const lower = (list: string[]) => list.map((scope) => scope.toLowerCase());
        const revoked = lower(revokeGraphDelegated);
        const kept = (permissions[GRAPH_RESOURCE] ?? []).filter((s) => !revoked.includes(s.toLowerCase()));
        for (const scope of grantGraphDelegated)
          if (!lower(kept).includes(scope.toLowerCase())) kept.push(scope);
        permissions[GRAPH_RESOURCE] = kept;
      }
      ctx.store.changed();
      return {
        clientId: registration.clientId,
        redirectUris: registration.redirectUris,
        identifierUris: registration.identifierUris,
        graphDelegated: registration.delegatedPermissions?.[GRAPH_RESOURCE] ?? null,
      };
    },
  );

  app.get<{ Params: { tenantId: string } }>(
    '/sandbox/api/tenants/:tenantId/users',
    { schema: { params: tenantParams } },
    async (request) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      return { value: tenant.directory.users.map((u) => userView(tenant, u)) };
    },
  );

  app.put<{
    Params: { tenantId: string; userId: string };
    Body: { state: 'installed' | 'uninstalled' | 'blocked'; botAppId?: string };
  }>(
    '/sandbox/api/tenants/:tenantId/users/:userId/bot',
    {
      schema: {
        params: tenantParams,
        body: {
          type: 'object',
          required: ['state'],
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['installed', 'uninstalled', 'blocked'] },
            botAppId: { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const user = tenant.directory.users.find((u) => u.id === request.params.userId);
      if (!user) throw notFound(`User ${request.params.userId}`);
      const registration = registrationFor(tenant, request.body.botAppId);
      if (!registration) throw notFound(`Bot ${request.body.botAppId}`);
      setInstallationState(tenant, registration.appId, user.id, request.body.state);
      ctx.store.changed();
      return userView(tenant, user);
    },
  );

  app.get<{ Params: { tenantId: string } }>(
    '/sandbox/api/tenants/:tenantId/teams',
    { schema: { params: tenantParams } },
    async (request) => ({ value: listTeams(tenantParam(ctx, request.params.tenantId)) }),
  );

  app.get<{ Params: { tenantId: string; teamId: string } }>(
    '/sandbox/api/tenants/:tenantId/teams/:teamId',
    { schema: { params: tenantParams } },
    async (request) => {
      const tree = teamTree(tenantParam(ctx, request.params.tenantId), request.params.teamId);
      if (!tree) throw notFound(`Team ${request.params.teamId}`);
      return tree;
    },
  );

  app.get<{ Params: { tenantId: string } }>(
    '/sandbox/api/tenants/:tenantId/conversations',
    { schema: { params: tenantParams } },
    async (request) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const value = botState(tenant)
        .conversations.filter((c) => c.activities.length > 0)
        .map((c) => conversationSummary(tenant, c))
        .sort((a, b) => lastTime(b).localeCompare(lastTime(a)));
      return { value };
    },
  );

  app.get<{ Params: { tenantId: string; conversationId: string } }>(
    '/sandbox/api/tenants/:tenantId/conversations/:conversationId',
    { schema: { params: tenantParams } },
    async (request) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const conversation = botState(tenant).conversations.find((c) => c.id === request.params.conversationId);
      if (!conversation) throw notFound(`Conversation ${request.params.conversationId}`);
      return {
        ...conversationSummary(tenant, conversation),
        activities: conversation.activities.map(activityView),
      };
    },
  );

  app.post('/sandbox/api/reset', async () => {
    // Bot registrations are configuration (where Trellis listens, its CA), not demo data: keep them.
    const kept = new Map<string, BotRegistration[]>(
      ctx.store.state.tenants.map((t) => [t.id, structuredClone(botState(t).registrations)]),
    );
    await ctx.store.reset();
    for (const tenant of ctx.store.state.tenants) {
      const registrations = kept.get(tenant.id);
      if (registrations) botState(tenant).registrations = registrations;
    }
    await ctx.store.flush();
    return { reset: true, tenants: ctx.store.state.tenants.map((t) => ({ id: t.id, domain: t.domain })) };
  });
}

function lastTime(summary: Record<string, unknown>): string {
  const last = summary.lastActivity as { timestamp?: string } | null;
  return last?.timestamp ?? String(summary.createdDateTime);
}
