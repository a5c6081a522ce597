import { randomBytes } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { CryptographyClient, KeyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import { errors } from '../errors/index.ts';
import type { KeyProvider, WrappedKey } from './key-provider.ts';

const ALG = 'RSA-OAEP-256';

export interface KeyVaultProviderOptions {
  vaultUrl: string;
  keyName: string;
  credential: TokenCredential;
  /** Extra client options (tests point the pipeline at a CA through configuration). */
  clientOptions?: KeyClientOptions;
}

/**
 * KEKs held in Azure Key Vault: an RSA key whose versions wrap data keys with RSA-OAEP-256.
 * The key is created on first use; rotation creates a new version; every version still unwraps.
 */
export function createKeyVaultKeyProvider(options: KeyVaultProviderOptions): KeyProvider {
  const keys = new KeyClient(options.vaultUrl, options.credential, options.clientOptions);
  const clients = new Map<string, CryptographyClient>();
  let current: string | undefined;

  const cryptoFor = (kid: string) => {
    let client = clients.get(kid);
    if (!client) {
      client = new CryptographyClient(kid, options.credential, options.clientOptions);
      clients.set(kid, client);
    }
    return client;
  };

  const currentKeyId = async (): Promise<string> => {
    if (current) return current;
    try {
      const key = await keys.getKey(options.keyName);
      current = key.id;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      const key = await keys.createRsaKey(options.keyName, {
        keySize: 3072,
        keyOps: ['wrapKey', 'unwrapKey'],
      });
      current = key.id;
    }
    if (!current) throw errors.internal('Key Vault returned a key without an id');
    return current;
  };

  const provider: KeyProvider = {
    name: 'keyvault',
    currentKeyId,
    async wrapKey(dek) {
      const kid = await currentKeyId();
      const result = await cryptoFor(kid).wrapKey(ALG, dek);
      return { kid, alg: ALG, wrapped: Buffer.from(result.result) };
    },
    async unwrapKey(key: WrappedKey) {
      if (key.alg !== ALG) throw errors.decryptionFailed(new Error(`unexpected wrap algorithm ${key.alg}`));
      try {
        const result = await cryptoFor(key.kid).unwrapKey(ALG, key.wrapped);
        return Buffer.from(result.result);
      } catch (cause) {
        if ((cause as { statusCode?: number }).statusCode === 404) throw errors.keyNotFound(key.kid);
        throw errors.decryptionFailed(cause);
      }
    },
    async rotate() {
      const key = await keys.rotateKey(options.keyName);
      if (!key.id) throw errors.internal('Key Vault returned a rotated key without an id');
      current = key.id;
      return key.id;
    },
    async ping() {
      const probe = randomBytes(32);
      const back = await provider.unwrapKey(await provider.wrapKey(probe));
      if (!back.equals(probe)) throw errors.internal('Key Vault round trip mismatch');
    },
  };
  return provider;
}
