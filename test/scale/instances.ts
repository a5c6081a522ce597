import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const CLI = path.join(process.cwd(), 'src', 'cli', 'index.ts');

/** A `trellis start --role …` process. */
export interface Instance {
  role: 'web' | 'worker';
  child: ChildProcess;
  /** Its stdout and stderr so far (the last 20 kB). */
  output(): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
}

/** Runs `trellis start --role <role>` with exactly `env` (and PATH). */
export function startInstance(role: 'web' | 'worker', env: Record<string, string>): Instance {
  const child = spawn(process.execPath, [CLI, 'start', '--role', role], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { role, child, output: () => out, exited };
}

/** Sends `signal` (if the process still runs) and waits for the exit. */
export async function stopInstance(instance: Instance, signal: NodeJS.Signals): Promise<number | null> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal);
  return instance.exited;
}

/** A loopback TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
