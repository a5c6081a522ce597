// Reproducible benchmarks: `npm run bench` (or `node bench/run.ts startup|overhead|search|provisioning`).
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
import { searchBench } from './messaging/search-bench.ts';
import { provisioningBench } from './provisioning/provisioning-bench.ts';

const root = path.resolve(import.meta.dirname, '..');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

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

async function load(url: string, ca: string, total: number, concurrency: number) {
  const dispatcher = new Agent({ connect: { ca }, connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        const res = await request(url, { dispatcher });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round((total / elapsed) * 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
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
  const rows: {
    round: number;
    trellis: Awaited<ReturnType<typeof load>>;
    bare: Awaited<ReturnType<typeof load>>;
  }[] = [];
  try {
    await load(`${trellis.url}/healthz`, material.caCert, 500, concurrency);
    await load(bareUrl, material.caCert, 500, concurrency);
    for (let round = 1; round <= rounds; round++) {
      const t = await load(`${trellis.url}/healthz`, material.caCert, total, concurrency);
      const b = await load(bareUrl, material.caCert, total, concurrency);
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
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.versions.node}`;
console.log(JSON.stringify({ machine }));
if (which === 'all' || which === 'startup') {
  for (const r of await startup(4)) console.log(JSON.stringify({ bench: 'startup', ...r }));
}
if (which === 'all' || which === 'overhead') {
  for (const r of await overhead(3000, 16, 3)) {
    console.log(
      JSON.stringify({
        bench: 'edge-overhead',
        round: r.round,
        trellisRps: r.trellis.rps,
        bareRps: r.bare.rps,
        throughputRatio: +(r.trellis.rps / r.bare.rps).toFixed(2),
        trellisP50: +r.trellis.p50.toFixed(2),
        bareP50: +r.bare.p50.toFixed(2),
        trellisP99: +r.trellis.p99.toFixed(2),
        bareP99: +r.bare.p99.toFixed(2),
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
// Keep-alive sockets of https.globalAgent are not used; exit explicitly in case a library left a timer.
https.globalAgent.destroy();
process.exit(0);
