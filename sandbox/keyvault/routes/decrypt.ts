import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { keyOperation } from '../key-operation.ts';
import type { VaultContext } from '../vault-route.ts';

/** `POST /keys/{name}/{version}/decrypt`: decrypts a value encrypted for this version (a versionless path uses the latest version). */
export function decryptRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => keyOperation(vault, request, reply, 'decrypt');
  app.post('/keys/:name/decrypt', handler);
  app.post('/keys/:name/:version/decrypt', handler);
}
