import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { BOT_FRAMEWORK_ISSUER } from '../world.ts';

/**
 * `GET /v1/.well-known/openidconfiguration` and `/v1/.well-known/keys`, the documents bots check
 * inbound tokens against (login.botframework.com in Azure). Keys carry the channels that endorse them.
 */
export function openIdMetadataRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/v1/.well-known/openidconfiguration', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=86400');
    return {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${ctx.config.origin}/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    };
  });

  app.get('/v1/.well-known/keys', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=86400');
    return { keys: [{ ...ctx.signers.botframework.publicJwk, endorsements: ['msteams'] }] };
  });
}
