import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findKey, keyBundle } from '../keys.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `GET /keys/{name}/{version}` (the latest version when the version is empty or absent). */
export function getKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = async (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => {
    const record = findKey(vaultTenant(vault, request), request.params.name, request.params.version);
    return sendVault(request, reply, keyBundle(vault.ctx, record));
  };
  app.get('/keys/:name', handler);
  app.get('/keys/:name/', handler);
  app.get('/keys/:name/:version', handler);
}
