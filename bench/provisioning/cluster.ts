// The processes of a scale-out benchmark on one machine: the Microsoft 365 sandbox as its own program,
// Trellis web and worker processes started with the `trellis` command, as an operator starts them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const TRELLIS_BIN = path.join(root, 'bin', 'trellis.js');
const SANDBOX_ENTRY = path.join(root, 'sandbox', 'main.ts');
/** Kept of each process's output, for the error when it fails. */
const TAIL_CHARS = 8_000;

/** On a machine shared with other work, start-up (imports, TLS keys, migrations) can take a minute. */
const READY_TIMEOUT_MS = 180_000;

/** Every child still running: killed if the benchmark itself exits early or is interrupted. */
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface BenchProcess {
  name: string;
  pid: number;
  /** The last lines it wrote (stdout and stderr). */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node args…` and resolves once its output matches `ready` (with the match), or rejects with
 * its output if it exits or stays silent for `timeoutMs`.
 */
async function spawnUntil(
  name: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; ready: RegExp; ipc?: boolean; timeoutMs?: number },
): Promise<{ process: BenchProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    // With an IPC channel the sandbox exits when the benchmark dies, however it dies.
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let tail = '';
  let onOutput: (() => void) | undefined;
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
    onOutput?.();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const bench: BenchProcess = {
    name,
    pid: child.pid ?? -1,
    tail: () => tail,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
    const timer = setTimeout(() => fail(`no sign of readiness within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      onOutput = undefined;
      child.kill('SIGKILL');
      reject(new Error(`${name}: ${why}\n${tail}`));
    };
    onOutput = () => {
      const found = options.ready.exec(tail);
      if (!found) return;
      clearTimeout(timer);
      onOutput = undefined;
      resolve(found);
    };
    void exited.then((code) => fail(`exited with code ${code}`));
  });
  return { process: bench, match };
}

export interface SandboxProcess extends BenchProcess {
  origin: string;
  caPath: string;
  /** The Contoso tenant and Trellis's app registration in it (the sandbox's own, published credentials). */
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Starts the sandbox (no faults until configured, state kept in memory) and reads its endpoints. */
export async function startSandboxProcess(dir: string): Promise<SandboxProcess> {
  const { process: proc } = await spawnUntil('sandbox', [SANDBOX_ENTRY], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      SANDBOX_PORT: '0',
      SANDBOX_DATA_DIR: dir,
      SANDBOX_FAULTS: 'none',
      // The stand-in for Microsoft's cloud should cost this machine as little as possible.
      SANDBOX_PERSIST: 'false',
      LOG_LEVEL: 'warn',
    },
    ready: /Microsoft 365 sandbox on https:/,
    ipc: true,
  });
  const endpoints = JSON.parse(await readFile(path.join(dir, 'endpoints.json'), 'utf8')) as {
    origin: string;
    caPath: string;
    tenants: { id: string; trellisApp?: { clientId: string; clientSecret: string } }[];
  };
  const tenant = endpoints.tenants.find((t) => t.trellisApp);
  if (!tenant?.trellisApp) {
    await proc.stop();
    throw new Error('sandbox: no tenant with Trellis registered');
  }
  return {
    ...proc,
    origin: endpoints.origin,
    caPath: endpoints.caPath,
    tenantId: tenant.id,
    clientId: tenant.trellisApp.clientId,
    clientSecret: tenant.trellisApp.clientSecret,
  };
}

/** The environment that points a Trellis process at the sandbox as at a real tenant (`M365_*`). */
export function tenantEnvironment(sandbox: SandboxProcess): Record<string, string> {
  return {
    M365_TENANT_ID: sandbox.tenantId,
    M365_CLIENT_ID: sandbox.clientId,
    M365_CLIENT_SECRET: sandbox.clientSecret,
    M365_AUTHORITY_HOST: sandbox.origin,
    GRAPH_BASE_URL: sandbox.origin,
    BOT_OPENID_METADATA_URL: `${sandbox.origin}/v1/.well-known/openidconfiguration`,
    BOT_SERVICE_URL: `${sandbox.origin}/`,
    M365_CA_FILE: sandbox.caPath,
  };
}

/** `trellis start --role web`; resolves with its URL once it listens. */
export async function startWebProcess(
  env: Record<string, string>,
  cwd: string,
): Promise<BenchProcess & { url: string }> {
  const { process: proc, match } = await spawnUntil('web', [TRELLIS_BIN, 'start', '--role', 'web'], {
    cwd,
    env: { ...env, LOG_LEVEL: 'info' },
    ready: /"url":"(https:\/\/localhost:\d+)"[^\n]*"msg":"trellis is listening"/,
  });
  return { ...proc, url: match[1] ?? '' };
}

/** `trellis worker`; resolves once its job workers run. */
export async function startWorkerProcess(
  name: string,
  env: Record<string, string>,
  cwd: string,
): Promise<BenchProcess> {
  const { process: proc } = await spawnUntil(name, [TRELLIS_BIN, 'worker'], {
    cwd,
    env: { ...env, LOG_LEVEL: 'info' },
    ready: /"msg":"worker started"/,
  });
  return proc;
}
