import type { FastifyInstance } from 'fastify';
import type { ApiApp, ApiDeps, ApiRoutes } from './api-types.ts';
import { installAuth } from './auth.ts';
import { installIdempotency } from './idempotency.ts';
import { registerOpenApi } from './openapi.ts';
import { apiPlatformRoutes } from './platform-api.ts';
import { governanceRoutes } from './routes/governance-routes.ts';
import { installRateLimitTiers } from './rate-limit-tiers.ts';
import { approvalRoutes, requestRoutes } from '../requests/index.ts';
import { directoryRoutes } from '../graph/index.ts';
import { webhookRoutes } from '../webhooks/index.ts';
import { networkApiRoutes } from '../network/index.ts';
import { provisioningRoutes } from '../provisioning/index.ts';
import { registerTemplateSchemaDocument, templatesApiRoutes } from '../templates/index.ts';
import { teamsAppRoutes } from '../teams/manifest/index.ts';

/**
 * Mounts REST API v1 under /api/v1. Every route must declare `config.access`; the auth hook
 * (src/api/auth.ts) authenticates and checks it before the handler runs.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  // <api-platform: document and reference (OpenAPI, /api/docs)>
  await registerOpenApi(app, deps);
  // <templates: public documents (/schemas/template.v1.json)>
  await app.register(registerTemplateSchemaDocument);
  const routeSets: ApiRoutes[] = [
    // <api-platform: routes>
    apiPlatformRoutes,
    // <templates: routes>
    templatesApiRoutes,
    // <requests: routes>
    requestRoutes,
    approvalRoutes,
    // <webhooks: routes>
    webhookRoutes,
    // <graph: routes>
    directoryRoutes,
    // <provisioning: routes>
    provisioningRoutes,
    // <network: certificate report and domain allowlist>
    networkApiRoutes,
    // <teams-app: routes>
    teamsAppRoutes,
    // <governance: dashboard summary>
    governanceRoutes,
  ];
  await app.register(
    async (api) => {
      api.addHook('onRoute', (route) => {
        if (route.config?.access === undefined) {
          throw new Error(`${route.method} ${route.url} declares no config.access`);
        }
      });
      installAuth(api, deps);
      // <api-platform: rate-limit tiers, idempotency hooks>
      installRateLimitTiers(api, deps);
      installIdempotency(api, deps);
      for (const routes of routeSets) await routes(api as unknown as ApiApp, deps);
    },
    { prefix: '/api/v1' },
  );
}
