import type { FastifyInstance } from 'fastify';
import { createKeyVersion, findKey, keyBundle } from '../keys.ts';
import { vaultState } from '../state.ts';
import { sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/**
 * `POST /keys/{name}/rotate`: a new version with the key's type, size and operations (and the
 * rotation policy's expiry, when it sets one); older versions stay usable.
 */
export function rotateKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  app.post<{ Params: { name: string } }>('/keys/:name/rotate', async (request, reply) => {
    const tenant = vaultTenant(vault, request);
    const current = findKey(tenant, request.params.name);
    const policy = vaultState(tenant).rotationPolicies.find(
      (p) => p.name.toLowerCase() === current.name.toLowerCase(),
    );
    const expiry = policy?.expiryTime ? isoDurationSeconds(policy.expiryTime) : undefined;
    const record = await createKeyVersion(vault.ctx, tenant, current.name, {
      kty: current.kty,
      key_size: current.keySize,
      key_ops: current.keyOps,
      tags: current.tags,
      attributes: expiry ? { exp: Math.floor(Date.now() / 1000) + expiry } : {},
    });
    return sendVault(request, reply, keyBundle(vault.ctx, record));
  });
}

/** Seconds in an ISO 8601 duration of days/hours/minutes/seconds or years/months (P90D, P1Y …). */
function isoDurationSeconds(duration: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map((v) => Number(v ?? 0));
  return (
    (y ?? 0) * 365 * 86400 +
    (mo ?? 0) * 30 * 86400 +
    (d ?? 0) * 86400 +
    (h ?? 0) * 3600 +
    (mi ?? 0) * 60 +
    (s ?? 0)
  );
}
