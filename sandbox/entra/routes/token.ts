import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { clientCredentialsOf } from '../clients.ts';
import { aadsts, EntraError, sendEntraError } from '../errors.ts';
import { authorizationCodeGrant } from '../grants/authorization-code.ts';
import { clientCredentialsGrant } from '../grants/client-credentials.ts';
import { onBehalfOfGrant } from '../grants/on-behalf-of.ts';
import { refreshTokenGrant } from '../grants/refresh-token.ts';
import type { GrantHandler } from '../grants/token-call.ts';
import { resolveTenantSegment } from '../tenants.ts';

const GRANTS: Record<string, GrantHandler> = {
  client_credentials: clientCredentialsGrant,
  'urn:ietf:params:oauth:grant-type:jwt-bearer': onBehalfOfGrant,
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};

/**
 * `POST /{tenant}/oauth2/v2.0/token` (form-encoded): client credentials, on-behalf-of, authorization
 * code with PKCE, refresh token. Errors in Entra's shape with its AADSTS codes.
 */
export function tokenRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    try {
      const segment = resolveTenantSegment(ctx, request.params.tenant);
      // Entra reads form fields only: a JSON body is a request without parameters.
      const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
      const params = (
        isForm && request.body && typeof request.body === 'object' ? request.body : {}
      ) as Record<string, string | undefined>;
      const grantType = params.grant_type;
      if (!grantType) throw aadsts.missingParameter('grant_type');
      const handler = GRANTS[grantType];
      if (!handler) throw aadsts.unsupportedGrantType(grantType);
      const body = await handler({
        ctx,
        segment,
        params,
        credentials: clientCredentialsOf(params, request.headers.authorization),
      });
      return reply
        .header('cache-control', 'no-store, no-cache')
        .header('pragma', 'no-cache')
        .type('application/json; charset=utf-8')
        .send(body);
    } catch (error) {
      if (error instanceof EntraError) return sendEntraError(ctx, request, reply, error);
      throw error;
    }
  });

  app.get<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    try {
      resolveTenantSegment(ctx, request.params.tenant);
      throw aadsts.postOnly('GET');
    } catch (error) {
      if (error instanceof EntraError) return sendEntraError(ctx, request, reply, error);
      throw error;
    }
  });
}
