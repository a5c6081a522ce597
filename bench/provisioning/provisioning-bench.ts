// The provisioning benchmark: N teams of the Project starter template against the sandbox with a fixed
// throttling budget, all at once and then one at a time, measured in the same process and run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config.ts';
import { demoTenant } from '../demo-tenant.ts';
import { startTrellis } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/index.ts';

const TERMINAL = new Set(['completed', 'completed_with_drift', 'failed', 'cancelled']);

/** Metadata the Project starter template requires. */
export const PROJECT_METADATA = {
  costCenter: 'CC-1234',
  projectCode: 'ABC-2026',
  endDate: '2027-06-30',
  dataClassification: 'internal',
};

/**
 * The sandbox's conditions in the provisioning benchmarks: Graph's documented limits plus a budget of
 * `budget` requests per second for the app in the tenant, 20 ms per call, long-running operations 0.1–0.2 s.
 */
export function benchGraphFaults(budget: number) {
  return {
    profile: 'none',
    latency: { distribution: 'fixed', minMs: 20, maxMs: 20 },
    throttling: { enabled: true, factor: 1, tenantPerSecond: budget },
    operations: { minMs: 100, maxMs: 200 },
  };
}

export interface ProvisioningBenchResult {
  mode: 'concurrent' | 'one-at-a-time';
  teams: number;
  completed: number;
  wallSeconds: number;
  secondsPerTeam: number;
  graphRequests: number;
  throttled: number;
  requestsPerSecond: number;
  /** Achieved Graph request rate as a fraction of the sandbox's per-tenant budget. */
  budgetFraction: number;
  cpuMsPerTeam: number;
}

/**
 * @param budget Graph requests per second the sandbox allows the app in the tenant (a token bucket over
 * every request, on top of Graph's documented per-resource limits).
 */
export async function provisioningBench(teams: number, budget: number): Promise<ProvisioningBenchResult[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-prov-'));
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PROVISIONING_CONCURRENCY: String(teams),
    GRAPH_MAX_CONCURRENCY: '64',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  });
  const trellis = await startTrellis(config, { log: createLogger('warn'), sandbox: true });
  const { domain, db } = trellis;
  const m365 = domain.graph;
  const sandboxOrigin = new URL(m365.baseUrl).origin;
  const ca = await readFile(path.join(dataDir, 'sandbox', 'tls', 'ca.pem'), 'utf8').catch(() => undefined);
  const dispatcher = new Agent(ca ? { connect: { ca } } : {});
  try {
    const faults = await request(`${sandboxOrigin}/sandbox/api/faults`, {
      method: 'PUT',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(benchGraphFaults(budget)),
    });
    if (faults.statusCode !== 200)
      throw new Error(`faults: ${faults.statusCode} ${await faults.body.text()}`);
    await faults.body.dump();
    const { tenantId, entraTenantId, caller } = await demoTenant(db);
    const submit = async (name: string) => {
      let view = await domain.requests.create(caller, {
        template: 'project',
        name,
        requester: 'adele.vance@contoso.onmicrosoft.com',
        metadata: PROJECT_METADATA,
      });
      while (view.status === 'pending_approval')
        view = await domain.requests.approve(caller, view.requestId, {});
      return view.requestId;
    };
    const finished = async (requestId: string) => {
      for (;;) {
        const run = await domain.provisioning.runOf(tenantId, requestId);
        if (run && TERMINAL.has(run.status)) return run.status;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const measure = async (
      mode: ProvisioningBenchResult['mode'],
      body: () => Promise<string[]>,
    ): Promise<ProvisioningBenchResult> => {
      const before = m365.stats(entraTenantId);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const statuses = await body();
      const wall = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const after = m365.stats(entraTenantId);
      const requests = after.requests - before.requests;
      return {
        mode,
        teams,
        completed: statuses.filter((s) => s === 'completed').length,
        wallSeconds: +wall.toFixed(1),
        secondsPerTeam: +(wall / teams).toFixed(2),
        graphRequests: requests,
        throttled: after.throttled - before.throttled,
        requestsPerSecond: +(requests / wall).toFixed(1),
        budgetFraction: +(requests / wall / budget).toFixed(2),
        cpuMsPerTeam: Math.round((used.user + used.system) / 1000 / teams),
      };
    };
    // Warm-up: one team, so that tokens, caches and JIT are hot for both modes.
    await finished(await submit('Warm-up'));
    const concurrent = await measure('concurrent', async () => {
      const ids = await Promise.all(Array.from({ length: teams }, (_, i) => submit(`Bench ${i}`)));
      return Promise.all(ids.map(finished));
    });
    const sequential = await measure('one-at-a-time', async () => {
      const out: string[] = [];
      for (let i = 0; i < teams; i++) out.push(await finished(await submit(`Serial ${i}`)));
      return out;
    });
    return [concurrent, sequential];
  } finally {
    await dispatcher.close();
    await trellis.stop('bench');
    await rm(dataDir, { recursive: true, force: true });
  }
}
