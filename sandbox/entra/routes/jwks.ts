import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { EntraError, sendEntraError } from '../errors.ts';
import { resolveTenantSegment } from '../tenants.ts';

/** `GET /{tenant}/discovery/v2.0/keys`: the signing keys of every token the sandbox's Entra issues. */
export function jwksRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/v2.0/keys', async (request, reply) => {
    let issuerTenant: string;
    try {
      const segment = resolveTenantSegment(ctx, request.params.tenant, 'invalid_tenant');
      issuerTenant = segment.kind === 'tenant' ? segment.tenant.id : '{tenantid}';
    } catch (error) {
      if (error instanceof EntraError) return sendEntraError(ctx, request, reply, error);
      throw error;
    }
    reply.header('cache-control', 'max-age=86400, private');
    // Entra tags each key with the issuer it signs for (multi-tenant validators check it).
    return {
      keys: [{ ...ctx.signers.entra.publicJwk, issuer: `${ctx.config.origin}/${issuerTenant}/v2.0` }],
    };
  });
}
