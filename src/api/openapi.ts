import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps, RouteAccess } from './api-types.ts';

/** Where the interactive reference is served (the document itself is at /api/v1/openapi.json). */
export const DOCS_PREFIX = '/api/docs';
export const API_PREFIX = '/api/v1';

/** Descriptions of the tags operations use; tags nobody uses are left out of the document. */
const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Platform: 'The API itself: the OpenAPI document.',
  Identity: 'Who is calling, and the roles given in Trellis to users and Entra groups.',
  Tokens: 'API tokens for integrations (`trl_…`), shown once at creation.',
  Audit: 'The append-only audit trail of the tenant, filterable and exportable.',
  Onboarding: 'Tenant onboarding through Entra admin consent.',
  Templates: 'Collaboration templates, their versions and metadata fields.',
  Catalog: 'What requesters may pick from.',
  Requests: 'Team requests, from draft to provisioned team.',
  Approvals: 'Approval decisions on requests.',
  Webhooks: 'Signed webhook subscriptions and their deliveries.',
  Directory: 'People and groups of the Entra tenant, read through Microsoft Graph.',
};

/**
 * The reference's own CSP: Swagger UI's assets come from this server, none is inline (the
 * initializer is a file), styles are set by script at run time; it may not be framed. It replaces,
 * for these routes only, the page CSP the security-headers hook sets.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Operation = {
  security?: unknown;
  responses?: Record<string, { content?: Record<string, unknown> }>;
  [key: string]: unknown;
};

/** Error responses are problem documents (RFC 9457): the media type says so. */
function problemMediaTypes(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const json = response.content?.['application/json'];
    if (Number(status) >= 400 && json && response.content) {
      response.content = { 'application/problem+json': json };
    }
  }
}

/**
 * Registers the OpenAPI 3.1 document, generated from the route schemas of /api/v1 (routes
 * elsewhere are left out), and the interactive reference at /api/docs. Must run before the API's
 * routes are declared: the document collects routes as they are added.
 */
export async function registerOpenApi(app: FastifyInstance, deps: Pick<ApiDeps, 'config'>): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Trellis API',
        version: '1.0.0',
        description:
          'REST API v1 of Trellis: templates, requests, approvals, tokens, webhooks and audit. ' +
          'Authenticate with an API token (`Authorization: Bearer trl_…`) or an Entra access token ' +
          'for Trellis. Errors are RFC 9457 problem documents with a stable `code`; listings are ' +
          'cursor-paginated; creating POSTs honour `Idempotency-Key`; every response carries ' +
          '`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: `${deps.config.publicUrl}${API_PREFIX}` }],
      components: {
        securitySchemes: {
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'trl_…',
            description: 'An API token (`trl_` + 36 characters) created by an admin; carries its own scopes.',
          },
          entra: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'An Entra ID access token for Trellis (`access_as_user`); the user’s scopes follow from their roles.',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      if (!url.startsWith(`${API_PREFIX}/`)) return { schema: { ...schema, hide: true }, url };
      const access = route.config?.access as RouteAccess | undefined;
      const security: Record<string, string[]>[] =
        access === 'public' || access === undefined ? [] : [{ apiToken: [] }, { entra: [] }];
      const described = {
        ...schema,
        security,
        // What the route declares (a scope, 'authenticated' or 'public'): tests and clients read it.
        'x-trellis-access': access ?? 'undeclared',
        ...(access && access !== 'public'
          ? {
              description: [
                schema?.description,
                access === 'authenticated'
                  ? 'Any authenticated caller.'
                  : `Requires the \`${access}\` scope.`,
              ]
                .filter(Boolean)
                .join('\n\n'),
            }
          : {}),
      };
      return { schema: described, url };
    },
    transformObject: (documentObject) => {
      const doc = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject as {
        paths?: Record<string, Record<string, Operation>>;
        tags?: { name: string; description?: string }[];
      };
      const used = new Set<string>();
      for (const item of Object.values(doc.paths ?? {})) {
        for (const operation of Object.values(item)) {
          problemMediaTypes(operation);
          for (const tag of (operation.tags as string[] | undefined) ?? []) used.add(tag);
        }
      }
      doc.tags = [...used].sort().map((name) => ({
        name,
        ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
      }));
      return doc as never;
    },
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    uiConfig: { deepLinking: true, displayOperationId: true, tryItOutEnabled: false },
    theme: { title: 'Trellis API reference' },
  });
}
