/** Key Vault keys (every version) of this tenant's vault. */
export interface VaultState {
  [collection: string]: unknown[];
}

export function emptyVaultState(): VaultState {
  return {};
}
