import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { AccessTokenError, RESOURCES, verifyBearer } from '../access-tokens.ts';

/**
 * `GET|POST /oidc/userinfo` (Graph's OpenID userinfo endpoint, advertised by the discovery document):
 * the signed-in user's profile for a delegated Graph token with `openid`.
 */
export function userInfoRoute(app: FastifyInstance, ctx: SandboxContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const caller = await verifyBearer(ctx, request, [RESOURCES.graph.uri, RESOURCES.graph.appId]);
      const user = caller.userId
        ? caller.tenant.directory.users.find((u) => u.id === caller.userId)
        : undefined;
      if (!user || !caller.permissions.includes('openid')) {
        throw new AccessTokenError(403, 'The token lacks the openid scope of a signed-in user.');
      }
      return {
        sub: createHash('sha256').update(`${user.id}|${caller.clientId}`).digest('base64url').slice(0, 43),
        name: user.displayName,
        family_name: user.surname,
        given_name: user.givenName,
        picture: `${ctx.config.origin}/v1.0/me/photo/$value`,
        ...(user.mail ? { email: user.mail } : {}),
      };
    } catch (error) {
      if (!(error instanceof AccessTokenError)) throw error;
      return reply
        .code(error.status)
        .header(
          'www-authenticate',
          `Bearer realm="", authorization_uri="${ctx.config.origin}/common/oauth2/authorize", client_id="${RESOURCES.graph.appId}"`,
        )
        .send({
          error: {
            code: error.status === 401 ? 'InvalidAuthenticationToken' : 'Authorization_RequestDenied',
            message: error.message,
          },
        });
    }
  };
  app.get('/oidc/userinfo', handler);
  app.post('/oidc/userinfo', handler);
}
