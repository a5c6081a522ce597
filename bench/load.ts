// A closed-loop HTTPS load generator for the benchmarks: a fixed number of requests shared by a fixed
// number of clients, each with its own keep-alive connection, timed one by one.
import { Agent, request } from 'undici';

export interface LoadResult {
  requests: number;
  /** Responses other than 200 (a shed 503 or a rate-limited 429 makes the round invalid). */
  failed: number;
  rps: number;
  p50: number;
  p99: number;
}

/** The nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * `total` GETs of `url` by `concurrency` clients at once; `headersOf(client)` gives each client's
 * headers (its credential). Latency is from sending to the last byte of the body.
 */
export async function runLoad(options: {
  url: string;
  ca: string;
  total: number;
  concurrency: number;
  headersOf?: (client: number) => Record<string, string>;
}): Promise<LoadResult> {
  const { url, total, concurrency } = options;
  const dispatcher = new Agent({ connect: { ca: options.ca }, connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, client) => {
        const headers = options.headersOf?.(client) ?? {};
        while (next < total) {
          next++;
          const t = performance.now();
          const res = await request(url, { dispatcher, headers });
          await res.body.dump();
          if (res.statusCode !== 200) failed++;
          latencies.push(performance.now() - t);
        }
      }),
    );
  } finally {
    await dispatcher.close();
  }
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: total,
    failed,
    rps: Math.round((total / elapsed) * 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
