import type { TenantState } from '../state/types.ts';

/** Key attributes as Key Vault returns them (times in epoch seconds). */
export interface KeyAttributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays: number;
  exportable: boolean;
}

/** One version of an RSA key, private parts included (they never leave the sandbox's vault). */
export interface KeyVersionRecord {
  name: string;
  version: string;
  kty: 'RSA' | 'RSA-HSM';
  keySize: number;
  keyOps: string[];
  /** The private JWK (n, e, d, p, q, dp, dq, qi). */
  jwk: Record<string, string>;
  attributes: KeyAttributes;
  tags: Record<string, string>;
}

/** A key's rotation policy (`/keys/{name}/rotationpolicy`). */
export interface RotationPolicyRecord {
  name: string;
  lifetimeActions: unknown[];
  expiryTime: string | null;
  created: number;
  updated: number;
}

/** A soft-deleted key: every version, restorable until purged. */
export interface DeletedKeyRecord {
  name: string;
  deletedDate: number;
  scheduledPurgeDate: number;
  versions: KeyVersionRecord[];
}

/** Key Vault keys (every version) of this tenant's vault. */
export interface VaultState {
  keys: KeyVersionRecord[];
  rotationPolicies: RotationPolicyRecord[];
  deletedKeys: DeletedKeyRecord[];
}

export function emptyVaultState(): VaultState {
  return { keys: [], rotationPolicies: [], deletedKeys: [] };
}

/** The tenant's vault, with collections older state files lack filled in. */
export function vaultState(tenant: TenantState): VaultState {
  const vault = tenant.vault as Partial<VaultState>;
  vault.keys ??= [];
  vault.rotationPolicies ??= [];
  vault.deletedKeys ??= [];
  return vault as VaultState;
}
