import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { SandboxContext } from '../context.ts';
import { createMessageIdSource } from './ids.ts';

/**
 * Teams' per-bot, per-thread limits (bot rate limiting, "per thread" table):
 * 7 sends a second, 8 per 2 s, 60 per 30 s, 1800 per hour.
 */
const THREAD_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1800 },
];

/** In-memory parts of the Bot Framework simulator, one set per sandbox (never persisted). */
export interface BotRuntime {
  nextMessageId(): string;
  /** Counts one write to a thread; returns the seconds to wait when a limit is already reached. */
  throttle(key: string, now?: number): number | undefined;
  /** An HTTPS dispatcher for a bot endpoint, trusting the registration's CA besides the public roots. */
  dispatcherFor(caCert: string | null): Agent | undefined;
  close(): Promise<void>;
}

const runtimes = new WeakMap<SandboxContext, BotRuntime>();

/** The runtime of one sandbox (created on first use, closed with the sandbox). */
export function botRuntime(ctx: SandboxContext): BotRuntime {
  let runtime = runtimes.get(ctx);
  if (!runtime) {
    runtime = createBotRuntime();
    runtimes.set(ctx, runtime);
  }
  return runtime;
}

function createBotRuntime(): BotRuntime {
  const writes = new Map<string, number[]>();
  const agents = new Map<string, Agent>();
  return {
    nextMessageId: createMessageIdSource(),
    throttle(key, now = Date.now()) {
      const longest = THREAD_LIMITS[THREAD_LIMITS.length - 1]?.windowMs ?? 0;
      const times = (writes.get(key) ?? []).filter((t) => now - t < longest);
      let waitMs = 0;
      for (const limit of THREAD_LIMITS) {
        const inWindow = times.filter((t) => now - t < limit.windowMs);
        if (inWindow.length >= limit.max) {
          // The oldest write in the window must age out before another one fits.
          const oldest = inWindow[inWindow.length - limit.max] ?? now;
          waitMs = Math.max(waitMs, oldest + limit.windowMs - now);
        }
      }
      if (waitMs > 0) {
        writes.set(key, times);
        return Math.max(1, Math.ceil(waitMs / 1000));
      }
      times.push(now);
      writes.set(key, times);
      return undefined;
    },
    dispatcherFor(caCert) {
      if (!caCert) return undefined;
      let agent = agents.get(caCert);
      if (!agent) {
        agent = new Agent({ connect: { ca: [...rootCertificates, caCert] } });
        agents.set(caCert, agent);
      }
      return agent;
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()));
      agents.clear();
    },
  };
}
