import type { FastifyInstance } from 'fastify';
import { deletedKeyBundle } from '../deleted-keys.ts';
import { checkKeyName, keyVersions } from '../keys.ts';
import { vaultErrors } from '../errors.ts';
import { vaultState } from '../state.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

const RECOVERABLE_DAYS = 90;

/** `DELETE /keys/{name}`: soft-deletes every version (recoverable for 90 days, then purged). */
export function deleteKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.delete<{ Params: { name: string } }>('/keys/:name', async (request, reply) => {
    const name = checkKeyName(request.params.name);
    const tenant = vaultTenant(vault, request);
    const versions = keyVersions(tenant, name);
    if (versions.length === 0) throw vaultErrors.keyNotFound(name);
    const state = vaultState(tenant);
    state.keys = state.keys.filter((k) => !versions.includes(k));
    const now = Math.floor(Date.now() / 1000);
    const deleted = {
      name: versions[0]?.name ?? name,
      deletedDate: now,
      scheduledPurgeDate: now + RECOVERABLE_DAYS * 86400,
      versions,
    };
    state.deletedKeys.push(deleted);
    vault.ctx.store.changed();
    return sendVault(request, reply, deletedKeyBundle(vault.ctx, deleted));
  });
}
