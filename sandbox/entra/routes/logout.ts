import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { EntraError } from '../errors.ts';
import { endSession } from '../sessions.ts';
import { sendPage } from '../sign-in-page.ts';
import { resolveTenantSegment } from '../tenants.ts';

/**
 * `GET /{tenant}/oauth2/v2.0/logout`: ends the sign-in session, then returns to
 * `post_logout_redirect_uri` when it is a redirect URI of a registered app (else a signed-out page).
 */
export function logoutRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { tenant: string }; Querystring: Record<string, string | undefined> }>(
    '/:tenant/oauth2/v2.0/logout',
    async (request, reply) => {
      let tenants = ctx.store.state.tenants;
      try {
        const segment = resolveTenantSegment(ctx, request.params.tenant);
        if (segment.kind === 'tenant') tenants = [segment.tenant];
      } catch (error) {
        if (!(error instanceof EntraError)) throw error;
      }
      endSession(reply);
      const target = request.query.post_logout_redirect_uri;
      const known =
        target !== undefined &&
        tenants.some((t) =>
          t.directory.apps.some((a) => a.redirectUris.some((r) => new URL(r).origin === safeOrigin(target))),
        );
      if (target && known) {
        const url = new URL(target);
        if (request.query.state) url.searchParams.set('state', request.query.state);
        return reply.redirect(url.toString(), 302);
      }
      return sendPage(
        reply,
        200,
        'Signed out',
        '<div class="brand">Microsoft 365 sandbox</div><h1>You signed out of your account</h1><p>It’s a good idea to close all browser windows.</p>',
      );
    },
  );
}

function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
