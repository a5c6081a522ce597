import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadSandboxConfig } from '../../sandbox/config.ts';
import { type RunningSandbox, startSandbox } from '../../sandbox/main.ts';

export interface TestSandbox {
  sandbox: RunningSandbox;
  origin: string;
  caCert: string;
  /** An undici dispatcher that trusts the sandbox CA (and nothing is switched off). */
  dispatcher: Agent;
  /** fetch through that dispatcher; `path` may be absolute or relative to the origin. */
  fetch(path: string, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>;
  close(): Promise<void>;
}

/**
 * Starts a sandbox on a free port, in a temporary folder (removed on close), for one test file. With
 * `dir`, it uses that folder and leaves it in place, so that a second sandbox can restart on its state.
 */
export async function startTestSandbox(
  options: { faults?: string; persist?: boolean; dir?: string } = {},
): Promise<TestSandbox> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'trellis-sandbox-')));
  const config = loadSandboxConfig({
    SANDBOX_PORT: '0',
    SANDBOX_DATA_DIR: dir,
    SANDBOX_FAULTS: options.faults ?? 'none',
    SANDBOX_PERSIST: String(options.persist ?? true),
  });
  const sandbox = await startSandbox(config);
  const dispatcher = new Agent({ connect: { ca: sandbox.caCert } });
  return {
    sandbox,
    origin: sandbox.origin,
    caCert: sandbox.caCert,
    dispatcher,
    fetch: (p, init) =>
      undiciFetch(p.startsWith('http') ? p : `${sandbox.origin}${p}`, { ...init, dispatcher }),
    async close() {
      await sandbox.close();
      await dispatcher.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The sandbox's fault settings and counters (`GET`), or new settings (`PUT`, counters start again). */
export async function sandboxFaults<T = Record<string, unknown>>(
  sb: TestSandbox,
  settings?: unknown,
): Promise<T> {
  const res = await sb.fetch('/sandbox/api/faults', {
    method: settings === undefined ? 'GET' : 'PUT',
    ...(settings === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) }),
  });
  if (res.status !== 200) throw new Error(`sandbox faults: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
