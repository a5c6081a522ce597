import { Type } from 'typebox';
import { type AppError, isAppError } from '../../errors/index.ts';
import type { ApiRoutes } from '../api-types.ts';
import { sourceOf } from '../request-context.ts';
import { ProblemSchema } from '../schemas.ts';

const TAGS = ['Onboarding'];
/** Bound to this browser: the callback must come back to the browser that started the consent. */
const STATE_COOKIE = '__Host-trellis-consent';
const STATE_COOKIE_MAX_AGE = 15 * 60;

const Html = (description: string) => ({
  description,
  content: { 'text/html': { schema: Type.String() } },
});

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small self-contained page: no script, styles allowed by the page CSP. */
function page(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#242424}h1{font-size:1.5rem}</style>` +
    `</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

/**
 * Tenant onboarding by Entra admin consent: `/onboarding/consent` sends an admin to Entra, Entra
 * sends them back to `/onboarding/callback`, which creates the tenant (once) and says so.
 */
export const onboardingRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/onboarding/consent',
    {
      config: { access: 'public' },
      schema: {
        tags: TAGS,
        operationId: 'startOnboarding',
        summary: 'Start onboarding: redirects an administrator to Entra admin consent',
        response: {
          302: Type.Null({ description: 'To `{authority}/organizations/adminconsent`' }),
          429: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (_request, reply) => {
      const { url, state } = await deps.domain.identity.beginConsent();
      return reply
        .header(
          'set-cookie',
          `${STATE_COOKIE}=${state}; Path=/; Max-Age=${STATE_COOKIE_MAX_AGE}; Secure; HttpOnly; SameSite=Lax`,
        )
        .header('cache-control', 'no-store')
        .redirect(url, 302);
    },
  );

  app.get(
    '/onboarding/callback',
    {
      config: { access: 'public' },
      schema: {
        tags: TAGS,
        operationId: 'completeOnboarding',
        summary: 'Entra admin-consent redirect: onboards the tenant and confirms',
        querystring: Type.Object({
          admin_consent: Type.Optional(Type.String({ maxLength: 10 })),
          tenant: Type.Optional(Type.String({ maxLength: 100 })),
          state: Type.Optional(Type.String({ maxLength: 200 })),
          scope: Type.Optional(Type.String({ maxLength: 2000 })),
          error: Type.Optional(Type.String({ maxLength: 200 })),
          error_description: Type.Optional(Type.String({ maxLength: 2000 })),
          error_uri: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: {
          200: Html('The tenant is onboarded (or already was)'),
          400: Html('Unknown, expired or reused state'),
          403: Html('Consent refused'),
          500: Html('Onboarding failed'),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      reply
        .header('set-cookie', `${STATE_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax`)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8');
      try {
        const tenant = await deps.domain.identity.completeConsent({
          state: q.state,
          browserState: cookie(request.headers.cookie, STATE_COOKIE),
          entraTenantId: q.tenant,
          adminConsent: q.admin_consent,
          error: q.error,
          errorDescription: q.error_description,
          source: sourceOf(request),
        });
        return reply
          .code(200)
          .send(
            page(
              'Trellis is ready',
              `<p>${escapeHtml(tenant.displayName)} ${tenant.created ? 'is now onboarded' : 'was already onboarded'} ` +
                `(tenant <code>${escapeHtml(tenant.slug)}</code>). Users of your organization can sign in to Trellis.</p>` +
                '<p><a href="/">Open Trellis</a></p>',
            ),
          );
      } catch (error) {
        const appError = isAppError(error) ? error : undefined;
        const status = appError && appError.httpStatus < 500 ? appError.httpStatus : 500;
        if (status >= 500) request.log.error({ err: error }, 'onboarding failed');
        else request.log.info({ code: (error as AppError).code }, (error as AppError).message);
        const message =
          status < 500 && appError
            ? appError.message
            : `Onboarding failed; quote request id ${request.id} to support.`;
        return reply
          .code(status === 400 || status === 403 ? status : status >= 500 ? 500 : 400)
          .send(
            page(
              'Trellis could not be onboarded',
              `<p>${escapeHtml(message)}</p><p><a href="/api/v1/onboarding/consent">Start again</a></p>`,
            ),
          );
      }
    },
  );
};
