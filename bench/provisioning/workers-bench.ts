// The provisioning benchmark scaled out: one web process and 1, 2, 4 … worker processes on the machine's
// PostgreSQL, the sandbox as its own process with the same Graph budget as the provisioning benchmark.
// N teams of the Project starter template are requested through the web process's API at once; the
// row's wall time runs until every run has ended. Each row gets a fresh database, sandbox and processes.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { API_SCOPES } from '../../src/api/caller.ts';
import { loadConfig } from '../../src/config.ts';
import type { RunView } from '../../src/provisioning/index.ts';
import { createDomain, type Domain } from '../../src/runtime/domain.ts';
import { openServices } from '../../src/runtime/services.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { startCpuSpan } from '../cpu.ts';
import { benchGraphFaults, PROJECT_METADATA } from './provisioning-bench.ts';
import { backendCpuMs, backendCpuSeconds, createBenchDatabase } from '../postgres.ts';
import {
  type BenchProcess,
  type SandboxProcess,
  startSandboxProcess,
  startWebProcess,
  startWorkerProcess,
  tenantEnvironment,
} from './cluster.ts';

const TERMINAL = new Set(['completed', 'completed_with_drift', 'failed', 'cancelled']);
const ACTOR = { type: 'system', id: 'bench', name: 'Benchmark' } as const;
const REQUESTER = 'adele.vance@contoso.onmicrosoft.com';

export interface WorkersBenchOptions {
  /** Teams per row (the same N in every row). */
  teams: number;
  /** Graph requests per second the sandbox allows the app in the tenant. */
  budget: number;
  /** Worker processes of each row, e.g. [1, 2, 4]. */
  workerCounts: readonly number[];
  /** `PROVISIONING_CONCURRENCY` of each worker: runs it executes at once. */
  workerConcurrency: number;
  /** Administrative URL of the PostgreSQL server on which each row creates its database. */
  postgresUrl: string;
  /** Shared cache for every process (`REDIS_URL`); none by default. */
  redisUrl?: string | undefined;
}

export interface WorkersBenchRow {
  /** Where the processes share each tenant's Graph throttling (Redis when given, else PostgreSQL). */
  throttleState: 'redis' | 'postgres';
  workers: number;
  workerConcurrency: number;
  teams: number;
  completed: number;
  /** How the runs ended: `completed`, or the status, step and error of those that did not. */
  endings: Record<string, number>;
  wallSeconds: number;
  teamsPerMinute: number;
  /** Graph requests the sandbox received (429s included), and their rate over the wall time. */
  graphRequests: number;
  requestsPerSecond: number;
  /** Achieved Graph request rate as a fraction of the tenant's budget. */
  budgetFraction: number;
  throttled: number;
  /** The 429s by the limit that refused them (the tenant's budget, one team's 4 requests/s …). */
  throttledByLimit: Record<string, number>;
  /** 1-worker wall time divided by this row's (1 for the first row, or NaN without a 1-worker row). */
  speedUp: number;
  /** CPU seconds of the Trellis processes (web + workers) per team. */
  trellisCpuSecondsPerTeam: number;
  /** CPU seconds of each worker over the row: how the runs were shared out. */
  workerCpuSeconds: number[];
  webCpuSeconds: number;
  /** CPU seconds of the sandbox per team. */
  sandboxCpuSecondsPerTeam: number;
  /** CPU seconds of the PostgreSQL backends serving the row's database, per team. */
  postgresCpuSecondsPerTeam: number;
  /** Share of the machine's CPU used by everything else meanwhile (other work on the machine). */
  otherCpuShare: number;
}

interface FaultCounters {
  requests: number;
  throttled: number;
  throttledByLimit: Record<string, number>;
}

/** The same throttling and latency as the provisioning benchmark; counters start afresh. */
async function configureSandbox(sandbox: SandboxProcess, dispatcher: Agent, budget: number): Promise<void> {
  const res = await request(`${sandbox.origin}/sandbox/api/faults`, {
    method: 'PUT',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(benchGraphFaults(budget)),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`sandbox faults: ${res.statusCode} ${text}`);
}

/** Graph requests and 429s the sandbox has served since it was configured. */
async function faultCounters(sandbox: SandboxProcess, dispatcher: Agent): Promise<FaultCounters> {
  const res = await request(`${sandbox.origin}/sandbox/api/faults`, { dispatcher });
  const body = (await res.body.json()) as { counters: FaultCounters };
  return body.counters;
}

/**
 * Onboards the sandbox's tenant and seeds the starter catalog, as the embedded demo does, and returns
 * a token for every API scope. The benchmark holds this domain (no workers) to follow the runs.
 */
async function prepareTenant(domain: Domain, entraTenantId: string) {
  const tenant = await domain.identity.onboard({
    entraTenantId,
    slug: 'contoso',
    displayName: 'Contoso',
    actor: ACTOR,
  });
  await domain.templates.seedStarterCatalog(tenant.tenantId, ACTOR);
  const created = await domain.tokens.create(tenant.tenantId, {
    name: 'bench',
    scopes: API_SCOPES,
    actor: ACTOR,
  });
  return { tenantId: tenant.tenantId, token: created.token };
}

/** A client of the web process's API with the bench token. */
function apiClient(url: string, ca: string, token: string) {
  const dispatcher = new Agent({ connect: { ca } });
  const call = async (method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await request(`${url}/api/v1${p}`, {
      method,
      dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${p}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as { requestId: string; status: string };
  };
  return {
    /** Requests a team of the Project template and approves every stage, as the API's clients would. */
    async submit(name: string): Promise<string> {
      let view = await call('POST', '/requests', {
        template: 'project',
        name,
        requester: REQUESTER,
        metadata: PROJECT_METADATA,
      });
      while (view.status === 'pending_approval')
        view = await call('POST', `/requests/${view.requestId}/approve`, {});
      return view.requestId;
    },
    /** Until `/readyz` answers 200 (start-up work may shed requests for a moment). */
    async waitReady(): Promise<void> {
      for (let attempt = 0; attempt < 300; attempt++) {
        const res = await request(`${url}/readyz`, { dispatcher }).catch(() => undefined);
        await res?.body.dump();
        if (res?.statusCode === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${url}/readyz: not ready within 30 s`);
    },
    close: () => dispatcher.close(),
  };
}

/**
 * Resolves with how each run ended, polling the database (not the web process) every 250 ms: its status,
 * and for a run that did not complete, the step and error it ended on.
 */
async function finished(domain: Domain, tenantId: string, requestIds: string[]): Promise<string[]> {
  const endings = new Map<string, string>();
  while (endings.size < requestIds.length) {
    for (const id of requestIds) {
      if (endings.has(id)) continue;
      const run = await domain.provisioning.runOf(tenantId, id);
      if (run && TERMINAL.has(run.status)) endings.set(id, endingOf(run));
    }
    if (endings.size < requestIds.length) await new Promise((r) => setTimeout(r, 250));
  }
  return requestIds.map((id) => endings.get(id) ?? 'unknown');
}

function endingOf(run: RunView): string {
  if (run.status === 'completed' || !run.error) return run.status;
  const { step, code, graphStatus, message } = run.error;
  return `${run.status} at ${step ?? 'start'}: ${code}${graphStatus ? ` (Graph ${graphStatus})` : ''} ${message.slice(0, 120)}`;
}

/** How many runs ended each way. */
function tally(endings: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of endings) out[e] = (out[e] ?? 0) + 1;
  return out;
}

type ApiClient = ReturnType<typeof apiClient>;

/** The processes of one row and what the benchmark holds to drive and watch them. */
interface Cluster {
  sandbox: SandboxProcess;
  sandboxApi: Agent;
  web: BenchProcess;
  workers: BenchProcess[];
  /** This process's domain (no workers): it follows the runs in the database. */
  domain: Domain;
  tenantId: string;
  api: ApiClient;
  databaseName: string;
}

/**
 * A fresh database, sandbox, web process and `workers` worker processes for `fn`, torn down after it
 * in the reverse order of their start. The output of every process is printed if anything fails.
 */
async function withCluster<T>(
  options: WorkersBenchOptions,
  workers: number,
  fn: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  const cleanups: (() => Promise<void>)[] = [];
  const processes: BenchProcess[] = [];
  try {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-workers-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await createBenchDatabase(options.postgresUrl);
    cleanups.push(() => database.drop());
    const sandbox = await startSandboxProcess(path.join(dataDir, 'sandbox'));
    processes.push(sandbox);
    cleanups.push(() => sandbox.stop());
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ENV_FILE: '',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PROVISIONING_CONCURRENCY: String(options.workerConcurrency),
      GRAPH_MAX_CONCURRENCY: '64',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...tenantEnvironment(sandbox),
    };
    // This process migrates the database and creates the key file first; the others find both ready.
    const config = loadConfig({ ...env, LOG_LEVEL: 'warn' });
    const services = await openServices(config, { migrate: true });
    cleanups.push(() => services.close());
    const domain = await createDomain({ config, log: createLogger('warn'), ...services });
    cleanups.push(() => domain.stop());
    await domain.start({ workers: false });
    const { tenantId, token } = await prepareTenant(domain, sandbox.tenantId);
    const sandboxApi = new Agent({ connect: { ca: await readFile(sandbox.caPath, 'utf8') } });
    cleanups.push(() => sandboxApi.close());
    await configureSandbox(sandbox, sandboxApi, options.budget);

    const track = async <P extends BenchProcess>(starting: Promise<P>): Promise<P> => {
      const started = await starting;
      processes.push(started);
      cleanups.push(() => started.stop());
      return started;
    };
    // One after the other, as in the first measurement, so that rows compare. (Started at once they used
    // to race on the job queue's grants, "tuple concurrently updated"; the schema is now installed under
    // an advisory lock, and they start fine together.)
    const web = await track(startWebProcess(env, dataDir));
    const workerProcesses: BenchProcess[] = [];
    for (let i = 0; i < workers; i++) {
      workerProcesses.push(await track(startWorkerProcess(`worker ${i + 1}`, env, dataDir)));
    }
    const api = apiClient(web.url, await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8'), token);
    cleanups.push(() => api.close());
    await api.waitReady();
    return await fn({
      sandbox,
      sandboxApi,
      web,
      workers: workerProcesses,
      domain,
      tenantId,
      api,
      databaseName: database.name,
    });
  } catch (error) {
    for (const p of processes) process.stderr.write(`--- ${p.name} (last output)\n${p.tail()}\n`);
    throw error;
  } finally {
    for (const cleanup of cleanups.toReversed()) await cleanup();
  }
}

/** Warm-up, then N teams at once through the API, timed until every run has ended. */
async function measureRow(
  cluster: Cluster,
  options: WorkersBenchOptions,
): Promise<Omit<WorkersBenchRow, 'speedUp'>> {
  const { teams, budget } = options;
  const { api, domain, tenantId, sandbox, sandboxApi, web, workers } = cluster;
  // Not measured: as many teams as workers, so that each may get one (tokens, caches, JIT).
  const warm = await Promise.all(workers.map((_, i) => api.submit(`Warm-up ${i}`)));
  await finished(domain, tenantId, warm);

  const [workerCpu, webCpu, sandboxCpu, machine] = await Promise.all([
    Promise.all(workers.map((w) => startCpuSpan([w.pid], { self: false }))),
    startCpuSpan([web.pid], { self: false }),
    startCpuSpan([sandbox.pid], { self: false }),
    startCpuSpan([web.pid, ...workers.map((w) => w.pid), sandbox.pid]),
  ]);
  const backendsBefore = await backendCpuMs(options.postgresUrl, cluster.databaseName);
  const before = await faultCounters(sandbox, sandboxApi);
  const started = performance.now();
  const ids = await Promise.all(Array.from({ length: teams }, (_, i) => api.submit(`Bench ${i}`)));
  const endings = await finished(domain, tenantId, ids);
  const wall = (performance.now() - started) / 1000;
  const after = await faultCounters(sandbox, sandboxApi);
  const postgresSeconds = backendCpuSeconds(
    backendsBefore,
    await backendCpuMs(options.postgresUrl, cluster.databaseName),
  );
  const [workerSpans, webSpan, sandboxSpan, machineSpan] = await Promise.all([
    Promise.all(workerCpu.map((end) => end())),
    webCpu(),
    sandboxCpu(),
    machine(),
  ]);
  const workerSeconds = workerSpans.map((w) => w.ownSeconds);
  const trellisSeconds = workerSeconds.reduce((a, b) => a + b, webSpan.ownSeconds);
  const requests = after.requests - before.requests;
  return {
    throttleState: options.redisUrl ? 'redis' : 'postgres',
    workers: workers.length,
    workerConcurrency: options.workerConcurrency,
    teams,
    completed: endings.filter((s) => s === 'completed').length,
    endings: tally(endings),
    wallSeconds: +wall.toFixed(1),
    teamsPerMinute: +((teams / wall) * 60).toFixed(1),
    graphRequests: requests,
    requestsPerSecond: +(requests / wall).toFixed(1),
    budgetFraction: +(requests / wall / budget).toFixed(2),
    throttled: after.throttled - before.throttled,
    throttledByLimit: Object.fromEntries(
      Object.entries(after.throttledByLimit).map(([k, v]) => [k, v - (before.throttledByLimit[k] ?? 0)]),
    ),
    trellisCpuSecondsPerTeam: +(trellisSeconds / teams).toFixed(2),
    workerCpuSeconds: workerSeconds,
    webCpuSeconds: webSpan.ownSeconds,
    sandboxCpuSecondsPerTeam: +(sandboxSpan.ownSeconds / teams).toFixed(2),
    postgresCpuSecondsPerTeam: +(postgresSeconds / teams).toFixed(2),
    otherCpuShare: +(
      Math.max(0, machineSpan.otherSeconds - postgresSeconds) /
      (wall * os.availableParallelism())
    ).toFixed(2),
  };
}

/** Runs one row per worker count, in order, and computes each row's speed-up against the 1-worker row. */
export async function workersBench(options: WorkersBenchOptions): Promise<WorkersBenchRow[]> {
  const rows: Omit<WorkersBenchRow, 'speedUp'>[] = [];
  for (const workers of options.workerCounts) {
    rows.push(await withCluster(options, workers, (cluster) => measureRow(cluster, options)));
  }
  const single = rows.find((r) => r.workers === 1);
  return rows.map((r) => ({
    ...r,
    speedUp: single ? +(single.wallSeconds / r.wallSeconds).toFixed(2) : Number.NaN,
  }));
}
