import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { keyOperation } from '../key-operation.ts';
import type { VaultContext } from '../vault-route.ts';

/** `POST /keys/{name}/{version}/wrapkey`: wraps a data key (RSA-OAEP-256 or RSA-OAEP) with the version's public key (a versionless path uses the latest version). */
export function wrapKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => keyOperation(vault, request, reply, 'wrapKey');
  app.post('/keys/:name/wrapkey', handler);
  app.post('/keys/:name/:version/wrapkey', handler);
}
