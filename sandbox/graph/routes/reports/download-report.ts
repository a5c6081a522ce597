import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../../context.ts';
import { verifyDownload } from '../../http/download-tokens.ts';
import { type Period, teamActivityCsv, teamActivityRows } from '../../model/activity.ts';
import { graphOf } from '../../state.ts';

/** `GET /data/download/{token}`: the report CSV a report call redirected to (no bearer token, a few minutes). */
export function reportDownloadRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // A wildcard: the signed token is longer than the router allows a parameter to be.
  app.get<{ Params: { '*': string } }>('/data/download/*', async (request, reply) => {
    const claims = verifyDownload(request.params['*']);
    const tenant = claims?.t ? ctx.store.tenant(claims.t) : undefined;
    if (!claims || !tenant || claims.r !== 'getTeamsTeamActivityDetail') {
      return reply.code(401).type('text/plain').send('The report link is not valid or has expired.');
    }
    const csv = teamActivityCsv(teamActivityRows(tenant, graphOf(tenant), claims.p as Period, new Date()));
    return reply.type('application/octet-stream').send(Buffer.from(csv, 'utf8'));
  });
}
