import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConnectorError } from '../../botframework/index.ts';
import type { SandboxContext } from '../../context.ts';
import { issueAccessToken } from '../../entra/access-tokens.ts';
import { tenantParam } from './world.ts';

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets');

/** The Teams web client's app id: the client Teams obtains tab SSO tokens with (pre-authorized by the app). */
export const TEAMS_WEB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

/** The page frames one tab: scripts from here only, the framed tab from its own (https) origin. */
function contentSecurityPolicy(tabOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${tabOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeAttr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * What the Teams web client does for a personal tab: `GET /sandbox/teams/tab?tenant&user&app&url`
 * frames the tab's content URL and answers Teams JS over postMessage (initialize, context with
 * theme, locale and sub-entity, SSO tokens from `tab-sso` below, deep links); and
 * `POST /sandbox/api/tenants/{t}/users/{u}/tab-sso` `{appId}`: the SSO token Teams obtains for the
 * user, addressed to the app, if the app pre-authorizes the Teams client (Entra's AADSTS65001 otherwise).
 */
export function teamsClientRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{
    Querystring: {
      tenant: string;
      user: string;
      app: string;
      url: string;
      subEntityId?: string;
      theme?: string;
    };
  }>(
    '/sandbox/teams/tab',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['tenant', 'user', 'app', 'url'],
          properties: {
            tenant: { type: 'string', maxLength: 100 },
            user: { type: 'string', maxLength: 200 },
            app: { type: 'string', maxLength: 100 },
            url: { type: 'string', pattern: '^https://', maxLength: 2000 },
            subEntityId: { type: 'string', maxLength: 500 },
            theme: { type: 'string', enum: ['default', 'dark', 'contrast'] },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const tenant = tenantParam(ctx, q.tenant);
      const wanted = q.user.toLowerCase();
      const user = tenant.directory.users.find(
        (u) => u.id === q.user || u.userPrincipalName.toLowerCase() === wanted,
      );
      if (!user) throw new ConnectorError(404, 'NotFound', `User ${q.user} not found.`);
      const tab = new URL(q.url);
      const html = (await readFile(path.join(ASSETS_DIR, 'teams-client.html'), 'utf8'))
        .replace('{{tabUrl}}', escapeAttr(tab.toString()))
        .replace(
          '{{host}}',
          escapeAttr(
            JSON.stringify({
              tenantId: tenant.id,
              userId: user.id,
              upn: user.userPrincipalName,
              displayName: user.displayName,
              locale: user.preferredLanguage ?? 'en-US',
              appId: q.app,
              subEntityId: q.subEntityId ?? '',
              theme: q.theme ?? 'default',
              tabOrigin: tab.origin,
            }),
          ),
        )
        .replace('{{userName}}', escapeAttr(user.displayName));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', contentSecurityPolicy(tab.origin))
        .header('cache-control', 'no-store')
        .send(html);
    },
  );

  app.post<{ Params: { tenantId: string; userId: string }; Body: { appId: string } }>(
    '/sandbox/api/tenants/:tenantId/users/:userId/tab-sso',
    {
      schema: {
        body: {
          type: 'object',
          required: ['appId'],
          additionalProperties: false,
          properties: { appId: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantParam(ctx, request.params.tenantId);
      const user = tenant.directory.users.find((u) => u.id === request.params.userId);
      if (!user) throw new ConnectorError(404, 'NotFound', `User ${request.params.userId} not found.`);
      // The app registration may live in another (home) tenant: a multi-tenant app, as Trellis is.
      const registration = ctx.store.state.tenants
        .flatMap((t) => t.directory.apps)
        .find((a) => a.clientId === request.body.appId);
      if (!registration || registration.identifierUris.length === 0) {
        throw new ConnectorError(
          400,
          'invalid_resource',
          `AADSTS500011: the app ${request.body.appId} exposes no API.`,
        );
      }
      if (!registration.preAuthorizedClientIds.includes(TEAMS_WEB_CLIENT_ID)) {
        reply.code(400);
        return {
          error: 'invalid_grant',
          error_description: `AADSTS65001: The user or administrator has not consented to use the application with ID '${TEAMS_WEB_CLIENT_ID}'.`,
          error_codes: [65001],
        };
      }
      const { token, expiresIn } = await issueAccessToken(ctx, {
        tenant,
        clientId: TEAMS_WEB_CLIENT_ID,
        audience: registration.clientId,
        scopes: ['access_as_user'],
        userId: user.id,
      });
      reply.header('cache-control', 'no-store');
      return { token, expiresIn };
    },
  );
}
