/** Key Vault keys (every version) of this tenant's vault. */
export interface VaultState {
  // biome-ignore lint/suspicious/noExplicitAny: filled in by the Key Vault routes
  [collection: string]: any[];
}

export function emptyVaultState(): VaultState {
  return {};
}
