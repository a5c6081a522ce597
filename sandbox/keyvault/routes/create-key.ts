import type { FastifyInstance } from 'fastify';
import { checkKeyName, createKeyVersion, keyBundle } from '../keys.ts';
import { bodyOf, sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `POST /keys/{name}/create`: a new RSA key, or a new version of an existing one. */
export function createKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.post<{ Params: { name: string } }>('/keys/:name/create', async (request, reply) => {
    const name = checkKeyName(request.params.name);
    const record = await createKeyVersion(vault.ctx, vaultTenant(vault, request), name, bodyOf(request));
    return sendVault(request, reply, keyBundle(vault.ctx, record));
  });
}
