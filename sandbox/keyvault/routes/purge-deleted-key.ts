import type { FastifyInstance } from 'fastify';
import { findDeletedKey } from '../deleted-keys.ts';
import { vaultState } from '../state.ts';
import { type VaultContext, vaultTenant } from '../vault-route.ts';
import { vaultHeaders } from '../errors.ts';

/** `DELETE /deletedkeys/{name}`: purges a soft-deleted key for good (204). */
export function purgeDeletedKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.delete<{ Params: { name: string } }>('/deletedkeys/:name', async (request, reply) => {
    const tenant = vaultTenant(vault, request);
    const deleted = findDeletedKey(tenant, request.params.name);
    const state = vaultState(tenant);
    state.deletedKeys = state.deletedKeys.filter((d) => d !== deleted);
    state.rotationPolicies = state.rotationPolicies.filter(
      (p) => p.name.toLowerCase() !== deleted.name.toLowerCase(),
    );
    vault.ctx.store.changed();
    vaultHeaders(request, reply);
    return reply.code(204).send();
  });
}
