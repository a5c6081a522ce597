/** A data key wrapped by a key-encryption key (KEK) that never leaves its provider. */
export interface WrappedKey {
  /** Identifies the KEK and its version (local: `local-3`; Key Vault: the versioned key URL). */
  kid: string;
  alg: string;
  wrapped: Buffer;
}

/** Wraps and unwraps data keys; local key file by default, Azure Key Vault in production. */
export interface KeyProvider {
  readonly name: 'local' | 'keyvault';
  /** The KEK version new data keys are wrapped with. */
  currentKeyId(): Promise<string>;
  wrapKey(dek: Buffer): Promise<WrappedKey>;
  /** @throws AppError(key_not_found | decryption_failed) */
  unwrapKey(key: WrappedKey): Promise<Buffer>;
  /** Makes a new KEK version the current one; older versions still unwrap. Returns the new id. */
  rotate(): Promise<string>;
  /** Wrap/unwrap round trip, for readiness and `trellis doctor`. */
  ping(): Promise<void>;
}
