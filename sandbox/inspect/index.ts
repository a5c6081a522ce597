import type { FastifyInstance } from 'fastify';
import { requireJsonWrites, useErrorResponses } from '../botframework/index.ts';
import type { SandboxContext } from '../context.ts';
import { actRoutes } from './routes/act.ts';
import { pageRoutes } from './routes/page.ts';
import { teamsClientRoutes } from './routes/teams-client.ts';
import { worldRoutes } from './routes/world.ts';

/**
 * Inspection API (`/sandbox/api/…`) and page (`/sandbox`). The fault profile routes
 * (`/sandbox/api/faults`) belong to the faults plugin; the page only calls them.
 */
export async function inspectionRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  useErrorResponses(app);
  requireJsonWrites(app);
  worldRoutes(app, ctx);
  actRoutes(app, ctx);
  pageRoutes(app);
  teamsClientRoutes(app, ctx);
}
