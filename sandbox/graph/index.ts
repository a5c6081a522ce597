import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { faultRoutes } from '../faults/index.ts';
import { installFallback, installPipeline, registerRoute } from './http/pipeline.ts';
import { downloadRoutes } from './routes/drives/download.ts';
import { GRAPH_ROUTES } from './routes/index.ts';
import { reportDownloadRoutes } from './routes/reports/download-report.ts';

export { listTeams, type TeamTree, teamTree } from './inspect.ts';

/**
 * Microsoft Graph v1.0 subset at `/v1.0/…` (bearer-authenticated, faults injected), the pre-authenticated
 * download URLs Graph redirects to, and the fault settings at `/sandbox/api/faults`.
 */
export async function graphRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  faultRoutes(app, ctx);
  downloadRoutes(app, ctx);
  reportDownloadRoutes(app, ctx);
  installFallback(app, ctx);
  await app.register(async (api) => {
    installPipeline(api, ctx);
    for (const route of GRAPH_ROUTES) registerRoute(api, ctx, route);
  });
}
