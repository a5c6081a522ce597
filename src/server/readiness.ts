export interface CheckResult {
  status: 'ok' | 'fail';
  ms: number;
  error?: string;
}

export interface ReadinessResult {
  status: 'ready' | 'draining' | 'not-ready';
  checks: Record<string, CheckResult>;
}

export interface ReadinessCheck {
  run(): Promise<ReadinessResult>;
}

/**
 * Runs each dependency probe with a timeout; fails at once (without probing) while draining.
 * Results are cached for `cacheMs` so that frequent probes do not hammer Key Vault or the database.
 */
export function createReadiness(options: {
  probes: Record<string, () => Promise<void>>;
  isDraining: () => boolean;
  timeoutMs?: number;
  cacheMs?: number;
}): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? 2000;
  const cacheMs = options.cacheMs ?? 1000;
  let cached: { at: number; result: ReadinessResult } | undefined;
  let inFlight: Promise<ReadinessResult> | undefined;

  const probeAll = async (): Promise<ReadinessResult> => {
    const entries = await Promise.all(
      Object.entries(options.probes).map(async ([name, probe]): Promise<[string, CheckResult]> => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, { status: 'ok', ms: Math.round(performance.now() - started) }];
        } catch (error) {
          return [
            name,
            {
              status: 'fail',
              ms: Math.round(performance.now() - started),
              error: (error as Error).message.slice(0, 200),
            },
          ];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, c]) => c.status === 'ok') ? 'ready' : 'not-ready', checks };
  };

  return {
    async run() {
      if (options.isDraining()) return { status: 'draining', checks: {} };
      if (cached && performance.now() - cached.at < cacheMs) return cached.result;
      inFlight ??= probeAll().finally(() => {
        inFlight = undefined;
      });
      const result = await inFlight;
      cached = { at: performance.now(), result };
      // Draining may have begun while probing.
      return options.isDraining() ? { status: 'draining', checks: {} } : result;
    },
  };
}
