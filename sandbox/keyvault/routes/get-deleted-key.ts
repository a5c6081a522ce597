import type { FastifyInstance } from 'fastify';
import { deletedKeyBundle, findDeletedKey } from '../deleted-keys.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `GET /deletedkeys/{name}`: a soft-deleted key (what the SDK's delete poller waits for). */
export function getDeletedKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.get<{ Params: { name: string } }>('/deletedkeys/:name', async (request, reply) => {
    const deleted = findDeletedKey(vaultTenant(vault, request), request.params.name);
    return sendVault(request, reply, deletedKeyBundle(vault.ctx, deleted));
  });
}
