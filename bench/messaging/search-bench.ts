// The message-extension search benchmark: Teams sends `composeExtension/query` invokes and shows
// "Unable to reach the app" after about 5 s. N users' searches at once against the embedded Trellis,
// delivered by the sandbox's Connector with real tokens, timed by the sandbox as Teams would.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config.ts';
import { demoTenant } from '../demo-tenant.ts';
import { startTrellis } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/index.ts';

const USER = 'adele.vance@contoso.onmicrosoft.com';

export interface SearchBenchRound {
  round: number;
  concurrency: number;
  ok: number;
  p50: number;
  p99: number;
  max: number;
  /** The same number of `GET /readyz` at the same concurrency, for scale. */
  readyzP99: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function searchBench(
  concurrency: number,
  rounds: number,
  requests: number,
): Promise<SearchBenchRound[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-search-'));
  const config = loadConfig({ PORT: '0', SANDBOX_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const trellis = await startTrellis(config, { log: createLogger('warn'), sandbox: true });
  const sandboxOrigin = new URL(trellis.domain.graph.baseUrl).origin;
  const sandboxCa = await readFile(path.join(dataDir, 'sandbox', 'tls', 'ca.pem'), 'utf8');
  const trellisCa = await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const toSandbox = new Agent({ connect: { ca: sandboxCa }, connections: concurrency + 4 });
  const toTrellis = new Agent({ connect: { ca: trellisCa }, connections: concurrency + 4 });
  try {
    const { entraTenantId, caller } = await demoTenant(trellis.db);
    const act = async (kind: string, body: unknown) => {
      const res = await request(`${sandboxOrigin}/sandbox/api/tenants/${entraTenantId}/act/${kind}`, {
        method: 'POST',
        dispatcher: toSandbox,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`act/${kind}: ${res.statusCode} ${text}`);
      return JSON.parse(text) as { delivery: { status: number; elapsedMs: number } };
    };
    // Something to find: the user's requests (drafts, so nothing is provisioned meanwhile).
    for (let i = 0; i < requests; i++) {
      await trellis.domain.requests.create(caller, {
        template: 'project',
        name: `Search bench ${i}`,
        requester: USER,
        submit: false,
        metadata: {
          costCenter: 'CC-1234',
          projectCode: 'ABC-2026',
          endDate: '2027-06-30',
          dataClassification: 'internal',
        },
      });
    }
    await act('install', { userId: USER });
    const rows: SearchBenchRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const answers = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          act('message-extension', {
            userId: USER,
            kind: 'query',
            commandId: 'searchTrellis',
            parameters: { query: i % 2 === 0 ? 'search bench' : 'project' },
          }),
        ),
      );
      const times = answers.map((a) => a.delivery.elapsedMs).sort((a, b) => a - b);
      const readyz = await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const started = performance.now();
          const res = await request(`${trellis.url}/readyz`, { dispatcher: toTrellis });
          await res.body.dump();
          return performance.now() - started;
        }),
      );
      readyz.sort((a, b) => a - b);
      rows.push({
        round,
        concurrency,
        ok: answers.filter((a) => a.delivery.status === 200).length,
        p50: pct(times, 50),
        p99: pct(times, 99),
        max: times.at(-1) ?? Number.NaN,
        readyzP99: Math.round(pct(readyz, 99)),
      });
    }
    return rows;
  } finally {
    await toSandbox.close();
    await toTrellis.close();
    await trellis.stop('bench done');
    await rm(dataDir, { recursive: true, force: true });
  }
}
