import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { SandboxState, SigningKeys, TenantState } from './types.ts';

/** The sandbox's whole world, in memory, written to `state.json` shortly after each change. */
export interface SandboxStore {
  readonly state: SandboxState;
  tenant(idOrDomain: string): TenantState | undefined;
  /** Call after every mutation; writes are coalesced. */
  changed(): void;
  /** Writes pending changes now (shutdown, tests). */
  flush(): Promise<void>;
  /** Replaces every tenant with freshly seeded ones; signing keys and app client secrets are kept. */
  reset(): Promise<void>;
}

export interface StoreOptions {
  /** Folder for state.json; undefined keeps everything in memory (tests). */
  dir: string | undefined;
  /** Builds the initial tenants (the Contoso demo tenant by default). */
  seed: () => TenantState[];
}

async function newSigningKeys(): Promise<SigningKeys> {
  const make = async () => {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    return {
      kid: randomUUID().replace(/-/g, '').slice(0, 27),
      privateJwk: { ...(await exportJWK(privateKey)) },
    };
  };
  return { entra: await make(), botframework: await make() };
}

export async function openStore(options: StoreOptions): Promise<SandboxStore> {
  const file = options.dir ? path.join(options.dir, 'state.json') : undefined;
  let state: SandboxState | undefined;
  if (file) {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as SandboxState;
      if (parsed.version === 1) state = parsed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  state ??= { version: 1, tenants: options.seed(), keys: await newSigningKeys() };
  const current: SandboxState = state;

  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async () => {
    if (!file) return;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(current));
    await rename(tmp, file);
  };
  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write, write);
    await writing;
  };
  if (file) await flush();

  return {
    state: current,
    tenant(idOrDomain) {
      const key = idOrDomain.toLowerCase();
      return current.tenants.find((t) => t.id === key || t.domain.toLowerCase() === key);
    },
    changed() {
      if (!file || timer) return;
      timer = setTimeout(() => void flush(), 200);
      timer.unref();
    },
    flush,
    async reset() {
      const secrets = new Map(
        current.tenants.flatMap((t) =>
          t.directory.apps.map((a) => [`${t.id}|${a.clientId}`, a.secrets] as const),
        ),
      );
      current.tenants = options.seed();
      // Trellis was configured with the seeded secrets (endpoints.json): a reset must not rotate them.
      for (const tenant of current.tenants) {
        for (const app of tenant.directory.apps) {
          const kept = secrets.get(`${tenant.id}|${app.clientId}`);
          if (kept && kept.length > 0) app.secrets = [...kept];
        }
      }
      await flush();
    },
  };
}
