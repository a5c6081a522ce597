import { randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import { errors } from '../errors/index.ts';
import type { KeyProvider, WrappedKey } from './key-provider.ts';

const ALG = 'RSA-OAEP-256';

/** Entra authority hosts whose instance discovery works (public and sovereign clouds). */
const MICROSOFT_AUTHORITY_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
];
/** Key Vault's DNS suffixes: a challenge from a vault elsewhere is only followed when the URL is not one. */
const KEY_VAULT_SUFFIXES = [
  '.vault.azure.net',
  '.vault.usgovcloudapi.net',
  '.vault.azure.cn',
  '.managedhsm.azure.net',
  '.managedhsm.usgovcloudapi.net',
  '.managedhsm.azure.cn',
];

/** A client secret to build the credential from (then the provider's CA applies to token requests too). */
export interface KeyVaultClientSecret {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Entra authority host; the public cloud when omitted. */
  authorityHost?: string | undefined;
}

export interface KeyVaultProviderOptions {
  vaultUrl: string;
  keyName: string;
  /** A credential, or a client secret the provider turns into one (honouring `caCert`). */
  credential: TokenCredential | KeyVaultClientSecret;
  /** PEM CA trusted besides the public roots, for Key Vault and Entra (a sandbox, a private CA). */
  caCert?: string | undefined;
  /** Extra client options (merged over what `caCert` and the vault URL imply). */
  clientOptions?: KeyClientOptions;
}

function isClientSecret(
  credential: KeyVaultProviderOptions['credential'],
): credential is KeyVaultClientSecret {
  return typeof (credential as KeyVaultClientSecret).clientSecret === 'string';
}

/**
 * The TLS trust of the Azure SDK pipeline: `tlsOptions.ca` replaces Node's roots in the agent the SDK
 * builds, so the public roots are listed along with the extra CA (verification stays on).
 */
function tlsOptionsFor(caCert: string | undefined): Pick<KeyClientOptions, 'tlsOptions'> {
  return caCert ? { tlsOptions: { ca: [...rootCertificates, caCert] } } : {};
}

function credentialFor(options: KeyVaultProviderOptions): TokenCredential {
  const credential = options.credential;
  if (!isClientSecret(credential)) return credential;
  const host = credential.authorityHost ? new URL(credential.authorityHost).host.toLowerCase() : undefined;
  return new ClientSecretCredential(credential.tenantId, credential.clientId, credential.clientSecret, {
    ...(credential.authorityHost ? { authorityHost: credential.authorityHost } : {}),
    // Instance discovery asks login.microsoftonline.com about the host: only meaningful for Microsoft's.
    ...(host && !MICROSOFT_AUTHORITY_HOSTS.includes(host) ? { disableInstanceDiscovery: true } : {}),
    ...tlsOptionsFor(options.caCert),
  });
}

function clientOptionsFor(options: KeyVaultProviderOptions): KeyClientOptions {
  const vaultHost = new URL(options.vaultUrl).hostname.toLowerCase();
  // The challenge names https://vault.azure.net; the SDK refuses it for a vault outside Azure's DNS.
  const outsideAzure = !KEY_VAULT_SUFFIXES.some((suffix) => vaultHost.endsWith(suffix));
  return {
    ...(outsideAzure ? { disableChallengeResourceVerification: true } : {}),
    ...tlsOptionsFor(options.caCert),
    ...options.clientOptions,
  };
}

/**
 * KEKs held in Azure Key Vault: an RSA key whose versions wrap data keys with RSA-OAEP-256.
 * The key is created on first use; rotation creates a new version; every version still unwraps.
 */
export function createKeyVaultKeyProvider(options: KeyVaultProviderOptions): KeyProvider {
  const credential = credentialFor(options);
  const clientOptions = clientOptionsFor(options);
  const keys = new KeyClient(options.vaultUrl, credential, clientOptions);
  const clients = new Map<string, CryptographyClient>();
  let current: string | undefined;

  const cryptoFor = (kid: string) => {
    let client = clients.get(kid);
    if (!client) {
      client = new CryptographyClient(kid, credential, clientOptions);
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
