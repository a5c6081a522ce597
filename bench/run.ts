// Reproducible benchmarks: `npm run bench` (or `node bench/run.ts startup|overhead|catalog|search|
// provisioning|workers`).
// Results are printed as JSON lines and as a table; copy them into bench/README.md with the machine.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { startTrellis } from '../src/main.ts';
import { ensureLocalCertificate, serverFactoryFor } from '../src/server/index.ts';
import { catalogBench } from './catalog/catalog-bench.ts';
import { type LoadResult, runLoad } from './load.ts';
import { searchBench } from './messaging/search-bench.ts';
import { DEFAULT_POSTGRES_URL } from './postgres.ts';
import { provisioningBench } from './provisioning/provisioning-bench.ts';
import { workersBench } from './provisioning/workers-bench.ts';

const root = path.resolve(import.meta.dirname, '..');

/** Time from spawning `node src/main.ts` to the first 200 from /readyz, and the idle RSS after. */
async function startup(runs: number) {
  const results: { kind: string; ms: number; rssMiB: number }[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-'));
  try {
    for (let i = 0; i < runs; i++) {
      const kind = i === 0 ? 'cold (first start: CA, keys, migrations)' : 'warm';
      const started = performance.now();
      const child = spawn(process.execPath, [path.join(root, 'src', 'main.ts')], {
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          SANDBOX_PORT: '0',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          ENV_FILE: '',
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d.toString();
      });
      const url = await new Promise<string>((resolve, reject) => {
        const poll = setInterval(() => {
          const m = /"url":"(https:\/\/localhost:\d+)"/.exec(out);
          if (m?.[1]) {
            clearInterval(poll);
            resolve(m[1]);
          }
        }, 5);
        child.once('exit', () => reject(new Error(out)));
      });
      const dispatcher = new Agent({
        connect: { ca: await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8') },
      });
      for (;;) {
        const res = await request(`${url}/readyz`, { dispatcher }).catch(() => undefined);
        await res?.body.dump();
        if (res?.statusCode === 200) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const ms = performance.now() - started;
      await new Promise((r) => setTimeout(r, 2000));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      results.push({ kind, ms: Math.round(ms), rssMiB: Math.round(rssKiB / 1024) });
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await dispatcher.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}

/**
 * What Trellis's edge costs per request (TLS, headers, CORS, rate limit, load shedding, logging):
 * GET /healthz on Trellis against a bare Fastify HTTPS route with the same TLS, measured alternately.
 */
async function overhead(total: number, concurrency: number, rounds: number) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const trellis = await startTrellis(config, { sandbox: false });
  const material = await ensureLocalCertificate(path.join(dataDir, 'tls'), ['localhost', '127.0.0.1', '::1']);
  const bare = Fastify({ serverFactory: serverFactoryFor(config, material) });
  bare.get('/healthz', async () => ({ status: 'ok' }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `https://localhost:${(bare.server.address() as { port: number }).port}/healthz`;
  const rows: { round: number; trellis: LoadResult; bare: LoadResult }[] = [];
  const load = (url: string, n: number) => runLoad({ url, ca: material.caCert, total: n, concurrency });
  try {
    await load(`${trellis.url}/healthz`, 500);
    await load(bareUrl, 500);
    for (let round = 1; round <= rounds; round++) {
      const t = await load(`${trellis.url}/healthz`, total);
      const b = await load(bareUrl, total);
      rows.push({ round, trellis: t, bare: b });
    }
  } finally {
    await bare.close();
    await trellis.stop('bench');
    await rm(dataDir, { recursive: true, force: true });
  }
  return rows;
}

const which = process.argv[2] ?? 'all';
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.versions.node}`;
console.log(JSON.stringify({ machine }));
if (which === 'all' || which === 'startup') {
  for (const r of await startup(4)) console.log(JSON.stringify({ bench: 'startup', ...r }));
}
/** One alternating round of Trellis against the bare route, as printed. */
function comparison(round: number, trellis: LoadResult, bare: LoadResult) {
  return {
    round,
    trellisRps: trellis.rps,
    bareRps: bare.rps,
    throughputRatio: +(trellis.rps / bare.rps).toFixed(2),
    trellisP50: +trellis.p50.toFixed(2),
    bareP50: +bare.p50.toFixed(2),
    trellisP99: +trellis.p99.toFixed(2),
    bareP99: +bare.p99.toFixed(2),
    failed: trellis.failed + bare.failed,
  };
}

if (which === 'all' || which === 'overhead') {
  for (const r of await overhead(3000, 16, 3)) {
    console.log(JSON.stringify({ bench: 'edge-overhead', ...comparison(r.round, r.trellis, r.bare) }));
  }
}
if (which === 'all' || which === 'catalog') {
  const total = Number(process.env.BENCH_CATALOG_REQUESTS ?? 3000);
  const concurrency = Number(process.env.BENCH_CATALOG_CONCURRENCY ?? 16);
  const result = await catalogBench({
    total,
    concurrency,
    rounds: Number(process.env.BENCH_CATALOG_ROUNDS ?? 3),
    // `BENCH_CATALOG_DB=postgres`: a fresh database on BENCH_POSTGRES_URL instead of the embedded PGlite.
    postgresUrl: process.env.BENCH_CATALOG_DB === 'postgres' ? postgresUrl : undefined,
    redisUrl: process.env.BENCH_REDIS_URL,
  });
  const { rows, ...response } = result;
  console.log(JSON.stringify({ bench: 'catalog-read', requests: total, concurrency, ...response }));
  for (const r of rows) {
    console.log(
      JSON.stringify({
        bench: 'catalog-read',
        ...comparison(r.round, r.trellis, r.bare),
        postgresCpuSeconds: r.postgresCpuSeconds,
        otherCpuShare: r.otherCpuShare,
      }),
    );
  }
}
if (which === 'all' || which === 'search') {
  const concurrency = Number(process.env.BENCH_SEARCH_CONCURRENCY ?? 100);
  for (const r of await searchBench(concurrency, 3, 60))
    console.log(JSON.stringify({ bench: 'me-search', ...r }));
}
if (which === 'all' || which === 'provisioning') {
  const teams = Number(process.env.BENCH_TEAMS ?? 20);
  const budget = Number(process.env.BENCH_GRAPH_BUDGET ?? 40);
  for (const r of await provisioningBench(teams, budget)) {
    console.log(JSON.stringify({ bench: 'provisioning', budgetPerSecond: budget, ...r }));
  }
}
if (which === 'all' || which === 'workers') {
  const rows = await workersBench({
    teams: Number(process.env.BENCH_TEAMS ?? 10),
    budget: Number(process.env.BENCH_GRAPH_BUDGET ?? 40),
    workerCounts: (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number),
    workerConcurrency: Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4),
    postgresUrl,
    redisUrl: process.env.BENCH_REDIS_URL,
  });
  for (const r of rows) console.log(JSON.stringify({ bench: 'provisioning-workers', ...r }));
}
// Keep-alive sockets of https.globalAgent are not used; exit explicitly in case a library left a timer.
https.globalAgent.destroy();
process.exit(0);
