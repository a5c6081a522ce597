import type { RotationPolicyRecord } from './state.ts';

/** Key Vault's answer for a policy; with none set, its default (notify 30 days before expiry). */
export function rotationPolicyBody(
  id: string,
  policy: RotationPolicyRecord | undefined,
): Record<string, unknown> {
  if (!policy) {
    return {
      id,
      lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }],
      attributes: { expiryTime: null, created: null, updated: null },
    };
  }
  return {
    id,
    lifetimeActions: policy.lifetimeActions,
    attributes: { expiryTime: policy.expiryTime, created: policy.created, updated: policy.updated },
  };
}
