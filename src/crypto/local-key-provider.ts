import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../errors/index.ts';
import type { KeyProvider, WrappedKey } from './key-provider.ts';

const ALG = 'A256GCMKW';

interface KeyFile {
  version: 1;
  current: string;
  keys: { kid: string; createdAt: string; material: string }[];
}

/**
 * KEKs in a local JSON file (mode 0600), created on first use. Wrapping is AES-256-GCM with the
 * key id as AAD; rotation appends a key and keeps the old ones for unwrapping.
 */
export async function createLocalKeyProvider(file: string): Promise<KeyProvider> {
  let state = await loadOrCreate(file);
  const material = (kid: string): Buffer => {
    const entry = state.keys.find((k) => k.kid === kid);
    if (!entry) throw errors.keyNotFound(kid);
    return Buffer.from(entry.material, 'base64');
  };

  const provider: KeyProvider = {
    name: 'local',
    async currentKeyId() {
      return state.current;
    },
    async wrapKey(dek) {
      const kid = state.current;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', material(kid), iv);
      cipher.setAAD(Buffer.from(kid));
      const ct = Buffer.concat([cipher.update(dek), cipher.final()]);
      return { kid, alg: ALG, wrapped: Buffer.concat([iv, cipher.getAuthTag(), ct]) };
    },
    async unwrapKey(key: WrappedKey) {
      if (key.alg !== ALG) throw errors.decryptionFailed(new Error(`unexpected wrap algorithm ${key.alg}`));
      const kek = material(key.kid);
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, key.wrapped.subarray(0, 12));
        decipher.setAAD(Buffer.from(key.kid));
        decipher.setAuthTag(key.wrapped.subarray(12, 28));
        return Buffer.concat([decipher.update(key.wrapped.subarray(28)), decipher.final()]);
      } catch (cause) {
        throw errors.decryptionFailed(cause);
      }
    },
    async rotate() {
      const next = `local-${state.keys.length + 1}`;
      state = {
        ...state,
        current: next,
        keys: [
          ...state.keys,
          { kid: next, createdAt: new Date().toISOString(), material: randomBytes(32).toString('base64') },
        ],
      };
      await save(file, state);
      return next;
    },
    async ping() {
      const probe = randomBytes(32);
      const back = await provider.unwrapKey(await provider.wrapKey(probe));
      if (!back.equals(probe)) throw errors.internal('local key provider round trip mismatch');
    },
  };
  return provider;
}

async function loadOrCreate(file: string): Promise<KeyFile> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    if (parsed.version !== 1 || !parsed.keys.some((k) => k.kid === parsed.current)) {
      throw errors.config('KEY_FILE', `${file} is not a Trellis key file`);
    }
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const initial: KeyFile = {
    version: 1,
    current: 'local-1',
    keys: [
      { kid: 'local-1', createdAt: new Date().toISOString(), material: randomBytes(32).toString('base64') },
    ],
  };
  await save(file, initial);
  return initial;
}

async function save(file: string, state: KeyFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
