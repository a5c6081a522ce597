import type { FastifyInstance } from 'fastify';
import { vaultErrors } from '../errors.ts';
import { findKey, keyId } from '../keys.ts';
import { rotationPolicyBody } from '../rotation-policies.ts';
import { vaultState } from '../state.ts';
import { bodyOf, sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `PUT /keys/{name}/rotationpolicy`: sets lifetime actions (rotate/notify) and the expiry of new versions. */
export function updateRotationPolicyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.put<{ Params: { name: string } }>('/keys/:name/rotationpolicy', async (request, reply) => {
    const tenant = vaultTenant(vault, request);
    const key = findKey(tenant, request.params.name);
    const body = bodyOf(request);
    const lifetimeActions = body.lifetimeActions ?? [];
    if (!Array.isArray(lifetimeActions))
      throw vaultErrors.badParameter("Property 'lifetimeActions' must be an array.");
    const attributes = (body.attributes ?? {}) as Record<string, unknown>;
    const expiryTime = attributes.expiryTime ?? null;
    if (expiryTime !== null && (typeof expiryTime !== 'string' || !/^P/.test(expiryTime))) {
      throw vaultErrors.badParameter(
        "Property 'attributes.expiryTime' must be an ISO 8601 duration (P90D …).",
      );
    }
    const state = vaultState(tenant);
    const now = Math.floor(Date.now() / 1000);
    const existing = state.rotationPolicies.find((p) => p.name.toLowerCase() === key.name.toLowerCase());
    const policy = {
      name: key.name,
      lifetimeActions,
      expiryTime,
      created: existing?.created ?? now,
      updated: now,
    };
    state.rotationPolicies = [...state.rotationPolicies.filter((p) => p !== existing), policy];
    vault.ctx.store.changed();
    return sendVault(
      request,
      reply,
      rotationPolicyBody(`${keyId(vault.ctx, { name: key.name })}/rotationpolicy`, policy),
    );
  });
}
