import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import {
  AuthorizePageError,
  AuthorizeRedirectError,
  completeSignIn,
  replyError,
  replyErrorPage,
  replySignInPage,
  signInChoices,
  validateAuthorizeRequest,
} from '../authorize-request.ts';
import { EntraError } from '../errors.ts';
import { currentSession } from '../sessions.ts';

/**
 * `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in page listing the tenant's enabled users (the
 * session's user is signed in silently with `prompt=none`; without a session that is `login_required`).
 */
export function authorizeRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { tenant: string }; Querystring: Record<string, string> }>(
    '/:tenant/oauth2/v2.0/authorize',
    async (request, reply) => {
      try {
        const req = validateAuthorizeRequest(ctx, request.params.tenant, request.query);
        if (req.prompt === 'none') {
          const session = await currentSession(ctx, request);
          const choice = session
            ? signInChoices(req).find(
                (c) =>
                  c.user.id === session.userId &&
                  (!req.loginHint || c.user.userPrincipalName.toLowerCase() === req.loginHint.toLowerCase()),
              )
            : undefined;
          const tenant = choice && req.tenants.find((t) => t.id === session?.tenantId);
          if (!choice || !tenant || !session) {
            throw new AuthorizeRedirectError(
              new EntraError(
                400,
                'login_required',
                50058,
                "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD.",
              ),
              req,
            );
          }
          return await completeSignIn(ctx, reply, req, tenant, choice.user, session.authTime);
        }
        return replySignInPage(reply, request.params.tenant, req);
      } catch (error) {
        if (error instanceof AuthorizePageError) return replyErrorPage(request, reply, error);
        if (error instanceof AuthorizeRedirectError) return replyError(reply, error);
        throw error;
      }
    },
  );
}
