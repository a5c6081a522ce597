import type { FastifyInstance } from 'fastify';
import { keyItem } from '../keys.ts';
import type { KeyVersionRecord } from '../state.ts';
import { vaultState } from '../state.ts';
import { listPage, sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `GET /keys`: one item per key (its latest version's attributes), paged. */
export function listKeysRoute(app: FastifyInstance, vault: VaultContext): void {
  app.get('/keys', async (request, reply) => {
    const latest = new Map<string, KeyVersionRecord>();
    for (const record of vaultState(vaultTenant(vault, request)).keys)
      latest.set(record.name.toLowerCase(), record);
    const items = [...latest.values()].map((r) => keyItem(vault.ctx, r, false));
    return sendVault(request, reply, listPage(vault, request, '/keys', items));
  });
}
