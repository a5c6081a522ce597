import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { EntraError, sendEntraError } from '../errors.ts';
import { resolveTenantSegment, segmentName } from '../tenants.ts';

/**
 * `GET /{tenant}/v2.0/.well-known/openid-configuration`: Entra's v2 discovery document. A tenant's
 * endpoints name its id (even when asked by domain); `common`/`organizations` keep the alias and
 * publish the `{tenantid}` issuer template, as Entra does.
 */
export function openIdConfigurationRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { tenant: string } }>(
    '/:tenant/v2.0/.well-known/openid-configuration',
    async (request, reply) => {
      let segment: ReturnType<typeof resolveTenantSegment>;
      try {
        segment = resolveTenantSegment(ctx, request.params.tenant, 'invalid_tenant');
      } catch (error) {
        if (error instanceof EntraError) return sendEntraError(ctx, request, reply, error);
        throw error;
      }
      const origin = ctx.config.origin;
      const base = `${origin}/${segmentName(segment)}`;
      reply.header('cache-control', 'max-age=86400, private');
      return {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${origin}/${segment.kind === 'tenant' ? segment.tenant.id : '{tenantid}'}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: segment.kind === 'tenant' ? 'EU' : null,
        cloud_instance_name: new URL(origin).host,
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      };
    },
  );
}
