import type { ApiRoutes } from './api-types.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { meRoutes } from './routes/me-routes.ts';
import { onboardingRoutes } from './routes/onboarding-routes.ts';
import { platformRoutes } from './routes/platform-routes.ts';
import { roleRoutes } from './routes/role-routes.ts';
import { tokenRoutes } from './routes/token-routes.ts';

/** The API platform's own routes: document, caller, roles, tokens, audit, onboarding. */
export const apiPlatformRoutes: ApiRoutes = async (app, deps) => {
  for (const routes of [platformRoutes, meRoutes, roleRoutes, tokenRoutes, auditRoutes, onboardingRoutes]) {
    await routes(app, deps);
  }
};
