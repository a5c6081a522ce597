export {
  createEnvelopeCipher,
  type Envelope,
  type EnvelopeCipher,
  type EnvelopeContext,
} from './envelope.ts';
export type { KeyProvider, WrappedKey } from './key-provider.ts';
export {
  createKeyVaultKeyProvider,
  type KeyVaultClientSecret,
  type KeyVaultProviderOptions,
} from './keyvault-key-provider.ts';
export { createLocalKeyProvider } from './local-key-provider.ts';
export { createSecretStore, type SecretStore } from './secret-store.ts';
