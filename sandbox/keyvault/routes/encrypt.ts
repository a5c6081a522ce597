import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { keyOperation } from '../key-operation.ts';
import type { VaultContext } from '../vault-route.ts';

/** `POST /keys/{name}/{version}/encrypt`: encrypts a short value with the version's public key (a versionless path uses the latest version). */
export function encryptRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => keyOperation(vault, request, reply, 'encrypt');
  app.post('/keys/:name/encrypt', handler);
  app.post('/keys/:name/:version/encrypt', handler);
}
