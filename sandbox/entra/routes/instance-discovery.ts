import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';

/**
 * `GET /{tenant}/discovery/instance`: Entra's instance discovery, for clients that look the sandbox up
 * as an authority host (MSAL skips it for hosts listed in `knownAuthorities`).
 */
export function instanceDiscoveryRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Querystring: { authorization_endpoint?: string } }>(
    '/:tenant/discovery/instance',
    async (request) => {
      const host = new URL(ctx.config.origin).host;
      // The answer names the tenant of the authorize endpoint asked about, when it is on this host.
      let tenant = '{tenant}';
      try {
        const asked = new URL(request.query.authorization_endpoint ?? '');
        const first = asked.pathname.split('/').filter(Boolean)[0];
        if (asked.host === host && first) tenant = first;
      } catch {
        // No (or no valid) authorization_endpoint: the template stays.
      }
      return {
        tenant_discovery_endpoint: `${ctx.config.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      };
    },
  );
}
