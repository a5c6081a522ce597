import type { FastifyInstance } from 'fastify';
import { findKey, keyId } from '../keys.ts';
import { rotationPolicyBody } from '../rotation-policies.ts';
import { vaultState } from '../state.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `GET /keys/{name}/rotationpolicy`: the key's policy (Key Vault's default when none was set). */
export function getRotationPolicyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.get<{ Params: { name: string } }>('/keys/:name/rotationpolicy', async (request, reply) => {
    const tenant = vaultTenant(vault, request);
    const key = findKey(tenant, request.params.name);
    const policy = vaultState(tenant).rotationPolicies.find(
      (p) => p.name.toLowerCase() === key.name.toLowerCase(),
    );
    return sendVault(
      request,
      reply,
      rotationPolicyBody(`${keyId(vault.ctx, { name: key.name })}/rotationpolicy`, policy),
    );
  });
}
