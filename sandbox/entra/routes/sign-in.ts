import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import {
  AuthorizePageError,
  AuthorizeRedirectError,
  completeSignIn,
  replyError,
  replyErrorPage,
  replySignInPage,
  validateAuthorizeRequest,
} from '../authorize-request.ts';

/**
 * `POST /{tenant}/oauth2/v2.0/authorize`: the sign-in form's submission (the chosen account in
 * `login`, the authorize parameters carried along). Issues the code and 302s to the redirect URI.
 */
export function signInRoute(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
    const params = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
      string,
      unknown
    >;
    try {
      const req = validateAuthorizeRequest(ctx, request.params.tenant, params);
      const login = typeof params.login === 'string' ? params.login.toLowerCase() : '';
      if (!login) return replySignInPage(reply, request.params.tenant, req);
      for (const tenant of req.tenants) {
        const user = tenant.directory.users.find((u) => u.userPrincipalName.toLowerCase() === login);
        if (!user) continue;
        if (!user.accountEnabled) {
          return replySignInPage(
            reply,
            request.params.tenant,
            req,
            'AADSTS50057: The user account is disabled. The user object in Active Directory backing this account has been disabled.',
          );
        }
        return await completeSignIn(ctx, reply, req, tenant, user, Math.floor(Date.now() / 1000));
      }
      return replySignInPage(
        reply,
        request.params.tenant,
        req,
        `AADSTS50034: The user account ${String(params.login)} does not exist in the directory. To sign into this application, the account must be added to the directory.`,
      );
    } catch (error) {
      if (error instanceof AuthorizePageError) return replyErrorPage(request, reply, error);
      if (error instanceof AuthorizeRedirectError) return replyError(reply, error);
      throw error;
    }
  });
}
