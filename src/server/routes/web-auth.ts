import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, errors } from '../../errors/index.ts';
import {
  safeReturnTo,
  WEB_CALLBACK_PATH,
  WEB_SESSION_TTL_MS,
  type WebSignIn,
} from '../../identity/web-sign-in.ts';

/** `__Host-`: Secure, Path=/, no Domain — the cookie cannot be set or widened by a sibling host. */
const SESSION_COOKIE = '__Host-trellis-session';
const STATE_COOKIE = '__Host-trellis-signin';
/** `POST /auth/token` and `/auth/signout` need this header: a cross-site page cannot send it without CORS. */
export const WEB_AUTH_HEADER = 'x-trellis-web';

const cookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' as const };

/** The browser's own origin, as it reached us (the front's forwarded host when a proxy is trusted). */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function requireWebHeader(request: FastifyRequest) {
  if (request.headers[WEB_AUTH_HEADER] !== '1') {
    throw errors.forbidden(
      `Send the ${WEB_AUTH_HEADER}: 1 header (same-origin requests of the Trellis web app)`,
    );
  }
}

/**
 * Browser sign-in for the tabs opened outside Teams: `/auth/signin` → Entra (code + PKCE) →
 * `/auth/callback` → session cookie; the app then trades the cookie for short-lived API tokens at
 * `POST /auth/token`. Inside Teams the tabs use SSO instead and never call these.
 */
export async function registerWebAuth(app: FastifyInstance, signIn: WebSignIn): Promise<void> {
  await app.register(cookie);
  app.addHook('onClose', () => signIn.close());

  app.get<{ Querystring: { returnTo?: string; loginHint?: string } }>(
    '/auth/signin',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            returnTo: { type: 'string', maxLength: 2000 },
            loginHint: { type: 'string', maxLength: 320 },
          },
        },
      },
    },
    async (request, reply) => {
      const { url, state } = await signIn.begin({
        returnTo: safeReturnTo(request.query.returnTo),
        redirectUri: `${originOf(request)}${WEB_CALLBACK_PATH}`,
        ...(request.query.loginHint ? { loginHint: request.query.loginHint } : {}),
      });
      reply.setCookie(STATE_COOKIE, state, { ...cookieOptions, maxAge: 600 });
      return reply.redirect(url, 302);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    WEB_CALLBACK_PATH,
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 4000 },
            state: { type: 'string', maxLength: 200 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query;
      reply.clearCookie(STATE_COOKIE, cookieOptions);
      if (error || !code || !state) {
        // Cancelled or refused at Entra: back to the app, which offers to sign in again.
        const reason = encodeURIComponent(error ?? 'missing_code');
        return reply.redirect(`/tabs/catalog?signInError=${reason}`, 302);
      }
      const session = await signIn.complete({ state, code, browserState: request.cookies[STATE_COOKIE] });
      reply.setCookie(SESSION_COOKIE, session.sessionId, {
        ...cookieOptions,
        maxAge: Math.floor(WEB_SESSION_TTL_MS / 1000),
      });
      return reply.redirect(session.returnTo, 302);
    },
  );

  app.post(
    '/auth/token',
    { schema: { hide: true }, config: { rateLimit: { max: 120, timeWindow: 60_000 } } },
    async (request, reply) => {
      requireWebHeader(request);
      reply.header('cache-control', 'no-store');
      // Not being signed in is an answer, not an error: the app shows its sign-in page.
      const sessionId = request.cookies[SESSION_COOKIE];
      if (!sessionId) return { signedIn: false };
      try {
        return { signedIn: true, ...(await signIn.accessToken(sessionId)) };
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== ErrorCode.Unauthorized) throw error;
        reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return { signedIn: false };
      }
    },
  );

  app.post('/auth/signout', { schema: { hide: true } }, async (request, reply) => {
    requireWebHeader(request);
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) await signIn.signOut(sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return { logoutUrl: signIn.logoutUrl(`${originOf(request)}/tabs/catalog?signedOut=1`) };
  });
}
