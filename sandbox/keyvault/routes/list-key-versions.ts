import type { FastifyInstance } from 'fastify';
import { checkKeyName, keyItem, keyVersions } from '../keys.ts';
import { listPage, sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `GET /keys/{name}/versions`: every version of a key, paged. */
export function listKeyVersionsRoute(app: FastifyInstance, vault: VaultContext): void {
  app.get<{ Params: { name: string } }>('/keys/:name/versions', async (request, reply) => {
    const name = checkKeyName(request.params.name);
    const items = keyVersions(vaultTenant(vault, request), name).map((r) => keyItem(vault.ctx, r, true));
    return sendVault(request, reply, listPage(vault, request, `/keys/${name}/versions`, items));
  });
}
