import type { FastifyInstance } from 'fastify';
import type { ApiApp, ApiDeps, ApiRoutes } from './api-types.ts';
import { installAuth } from './auth.ts';

/**
 * Mounts REST API v1 under /api/v1. Every route must declare `config.access`; the auth hook
 * (src/api/auth.ts) authenticates and checks it before the handler runs.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  // <api-platform: document and reference (OpenAPI, /api/docs)>
  // <templates: public documents (/schemas/template.v1.json)>
  const routeSets: ApiRoutes[] = [
    // <api-platform: routes>
    // <templates: routes>
    // <requests: routes>
    // <webhooks: routes>
    // <graph: routes>
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
      for (const routes of routeSets) await routes(api as unknown as ApiApp, deps);
    },
    { prefix: '/api/v1' },
  );
}
