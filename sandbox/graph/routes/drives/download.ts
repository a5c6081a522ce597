import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../../context.ts';
import { verifyDownload } from '../../http/download-tokens.ts';
import { graphOf } from '../../state.ts';

/**
 * `GET /_layouts/15/download.aspx?UniqueId=…&tempauth=…`: the pre-authenticated URL that `…/content` redirects
 * to and `@microsoft.graph.downloadUrl` carries. No bearer token: the tempauth token is the proof.
 */
export function downloadRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Querystring: { tempauth?: string } }>('/_layouts/15/download.aspx', async (request, reply) => {
    const claims = verifyDownload(request.query.tempauth ?? '');
    const tenant = claims?.t ? ctx.store.tenant(claims.t) : undefined;
    const item = tenant
      ? graphOf(tenant).driveItems.find((i) => i.id === claims?.i && i.driveId === claims?.d)
      : undefined;
    if (item?.kind !== 'file') {
      return reply.code(401).type('text/plain').send('The download link is not valid or has expired.');
    }
    return reply
      .type(item.mimeType ?? 'application/octet-stream')
      .header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`)
      .header('ETag', `"${item.id},${item.version}"`)
      .send(Buffer.from(item.content ?? '', 'base64'));
  });
}
