import type { Logger } from '../telemetry/index.ts';

interface Hook {
  name: string;
  run: () => Promise<void>;
}

/**
 * Ordered shutdown: readiness fails first (draining), then each hook runs in reverse registration
 * order (listener closes, background work checkpoints, adapters close) within the grace period.
 */
export class Lifecycle {
  #draining = false;
  readonly #hooks: Hook[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  get draining(): boolean {
    return this.#draining;
  }

  readonly isDraining = (): boolean => this.#draining;

  onShutdown(name: string, run: () => Promise<void>): void {
    this.#hooks.push({ name, run });
  }

  /** Resolves true when every hook finished within `graceMs`, false when time ran out. */
  async shutdown(options: { drainMs: number; graceMs: number; reason: string }): Promise<boolean> {
    if (this.#draining) return true;
    this.#draining = true;
    this.#log.info({ reason: options.reason, drainMs: options.drainMs }, 'draining: readiness now fails');
    if (options.drainMs > 0) await new Promise((r) => setTimeout(r, options.drainMs));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), options.graceMs);
      timer.unref();
    });
    const work = (async () => {
      for (const hook of [...this.#hooks].reverse()) {
        const started = performance.now();
        try {
          await hook.run();
          this.#log.info(
            { hook: hook.name, ms: Math.round(performance.now() - started) },
            'shutdown step done',
          );
        } catch (error) {
          this.#log.error({ hook: hook.name, err: error }, 'shutdown step failed');
        }
      }
      return true as const;
    })();
    const finished = await Promise.race([work, deadline]);
    clearTimeout(timer);
    return finished;
  }
}
