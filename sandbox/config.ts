import { isProfileName, PROFILE_NAMES } from './faults/settings.ts';
import path from 'node:path';

/** The sandbox's own settings (it never reads Trellis's configuration). */
export interface SandboxConfig {
  readonly host: string;
  readonly port: number;
  /** `https://localhost:PORT`: every simulated service lives on this one origin. */
  origin: string;
  readonly dataDir: string;
  /** Fault profile applied at start: `none`, `realistic` (demo default) or `strict` (engine tests). */
  readonly faultProfile: string;
  readonly persist: boolean;
}

export class SandboxConfigError extends Error {}

/** Reads SANDBOX_PORT, SANDBOX_HOST, SANDBOX_DATA_DIR (default DATA_DIR/sandbox), SANDBOX_FAULTS, SANDBOX_PERSIST. */
export function loadSandboxConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): SandboxConfig {
  const portText = env.SANDBOX_PORT?.trim() || '8444';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new SandboxConfigError(`SANDBOX_PORT: expected a port number, got "${portText}"`);
  }
  const port = Number(portText);
  const host = env.SANDBOX_HOST?.trim() || 'localhost';
  const dataDir = path.resolve(
    cwd,
    env.SANDBOX_DATA_DIR?.trim() || path.join(env.DATA_DIR?.trim() || './data', 'sandbox'),
  );
  const faultProfile = env.SANDBOX_FAULTS?.trim() || 'realistic';
  if (!isProfileName(faultProfile)) {
    throw new SandboxConfigError(
      `SANDBOX_FAULTS: must be one of ${PROFILE_NAMES.join(', ')}, got "${faultProfile}"`,
    );
  }
  const persist = (env.SANDBOX_PERSIST?.trim() || 'true') !== 'false';
  return { host, port, origin: `https://localhost:${port}`, dataDir, faultProfile, persist };
}
