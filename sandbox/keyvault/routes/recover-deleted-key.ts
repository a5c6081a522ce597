import type { FastifyInstance } from 'fastify';
import { findDeletedKey } from '../deleted-keys.ts';
import { keyBundle } from '../keys.ts';
import { vaultState } from '../state.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `POST /deletedkeys/{name}/recover`: restores every version of a soft-deleted key. */
export function recoverDeletedKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.post<{ Params: { name: string } }>('/deletedkeys/:name/recover', async (request, reply) => {
    const tenant = vaultTenant(vault, request);
    const deleted = findDeletedKey(tenant, request.params.name);
    const state = vaultState(tenant);
    state.deletedKeys = state.deletedKeys.filter((d) => d !== deleted);
    state.keys.push(...deleted.versions);
    vault.ctx.store.changed();
    const latest = deleted.versions.at(-1);
    return sendVault(request, reply, latest ? keyBundle(vault.ctx, latest) : {});
  });
}
