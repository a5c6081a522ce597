import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { keyOperation } from '../key-operation.ts';
import type { VaultContext } from '../vault-route.ts';

/** `POST /keys/{name}/{version}/unwrapkey`: unwraps a data key wrapped by this version; tampered or foreign values are refused (a versionless path uses the latest version). */
export function unwrapKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => keyOperation(vault, request, reply, 'unwrapKey');
  app.post('/keys/:name/unwrapkey', handler);
  app.post('/keys/:name/:version/unwrapkey', handler);
}
