import { readFile } from 'node:fs/promises';
import { type Cache, createMemoryCache, createRedisCache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import {
  createEnvelopeCipher,
  createKeyVaultKeyProvider,
  createLocalKeyProvider,
  createSecretStore,
  type EnvelopeCipher,
  type KeyProvider,
  type SecretStore,
} from '../crypto/index.ts';
import { type Db, type MigrationReport, openDatabase } from '../db/index.ts';
import { type BlobStore, createAzureBlobStore, createLocalBlobStore } from '../storage/index.ts';

/** The adapters a process needs, chosen by configuration (embedded defaults or production backends). */
export interface Services {
  db: Db;
  cache: Cache;
  blobs: BlobStore;
  keys: KeyProvider;
  cipher: EnvelopeCipher;
  secrets: SecretStore;
  migration: MigrationReport | undefined;
  close(): Promise<void>;
}

export function createCache(config: Config): Cache {
  return config.redisUrl ? createRedisCache(config.redisUrl) : createMemoryCache();
}

export function createBlobStore(config: Config): BlobStore {
  if (config.blob.backend === 'azure' && config.blob.azureConnectionString) {
    return createAzureBlobStore({
      connectionString: config.blob.azureConnectionString,
      container: config.blob.container,
    });
  }
  return createLocalBlobStore(config.blob.localDir);
}

export async function createKeyProvider(config: Config): Promise<KeyProvider> {
  if (config.keys.provider === 'keyvault') {
    const { tenantId, clientId, clientSecret, authorityHost } = config.azure;
    if (!config.keys.keyVaultUrl || !tenantId || !clientId || !clientSecret) {
      throw new Error('Key Vault settings are incomplete'); // loadConfig already refuses this
    }
    return createKeyVaultKeyProvider({
      vaultUrl: config.keys.keyVaultUrl,
      keyName: config.keys.keyVaultKeyName,
      credential: { tenantId, clientId, clientSecret, authorityHost },
      // A private CA for Microsoft endpoints (the sandbox's in tests) is added to the public roots.
      caCert: config.m365.caFile ? await readFile(config.m365.caFile, 'utf8') : undefined,
    });
  }
  return createLocalKeyProvider(config.keys.keyFile);
}

/**
 * Opens every adapter. With `migrate`, pending migrations run first (as the schema owner), and the
 * application role is checked to be unable to bypass row-level security.
 */
export async function openServices(config: Config, options: { migrate: boolean }): Promise<Services> {
  const db = await openDatabase({
    url: config.database.url,
    appUrl: config.database.appUrl,
    dataDir: config.dataDir,
    poolMax: config.database.poolMax,
  });
  const opened: { close(): Promise<void> }[] = [db];
  try {
    const migration = options.migrate ? await db.migrate() : undefined;
    await db.assertSafeRole();
    const cache = createCache(config);
    opened.push(cache);
    const blobs = createBlobStore(config);
    const keys = await createKeyProvider(config);
    const cipher = createEnvelopeCipher(keys);
    const secrets = createSecretStore({ db, cipher });
    return {
      db,
      cache,
      blobs,
      keys,
      cipher,
      secrets,
      migration,
      async close() {
        await Promise.allSettled([cache.close(), db.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw error;
  }
}
