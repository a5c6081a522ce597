import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { handleAdminConsent } from '../admin-consent.ts';

/**
 * Entra's admin-consent endpoints, `/{tenant}/adminconsent` and `/{tenant}/v2.0/adminconsent`:
 * GET shows the account picker, POST carries the chosen account and then its consent decision.
 */
export function adminConsentRoute(app: FastifyInstance, ctx: SandboxContext): void {
  for (const path of ['/:tenant/adminconsent', '/:tenant/v2.0/adminconsent']) {
    app.get<{ Params: { tenant: string }; Querystring: Record<string, string> }>(path, (request, reply) =>
      handleAdminConsent(ctx, request, reply, request.query),
    );
    app.post<{ Params: { tenant: string } }>(path, (request, reply) =>
      handleAdminConsent(
        ctx,
        request,
        reply,
        (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>,
      ),
    );
  }
}
