// The authenticated catalog read: `GET /api/v1/templates` with API tokens on the embedded Trellis (the
// Contoso demo tenant and its starter catalog; PGlite, or a fresh database on the machine's PostgreSQL,
// optionally with Redis as the shared cache)
// against a bare Fastify route serving a captured copy of the same response behind the same HTTPS server
// factory and certificate, alternating, in one process.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { RATE_LIMIT_TIER_SETTING } from '../../src/api/rate-limit-tiers.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/index.ts';
import { type RunningTrellis, startTrellis } from '../../src/main.ts';
import { ensureLocalCertificate, serverFactoryFor } from '../../src/server/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { startCpuSpan } from '../cpu.ts';
import { demoTenant } from '../demo-tenant.ts';
import { type LoadResult, runLoad } from '../load.ts';
import { backendCpuMs, backendCpuSeconds, createBenchDatabase } from '../postgres.ts';

const PATH = '/api/v1/templates';
const ACTOR = { type: 'system', id: 'bench', name: 'Benchmark' } as const;

export interface CatalogBenchRound {
  round: number;
  trellis: LoadResult;
  bare: LoadResult;
  /** CPU seconds of the PostgreSQL backends serving Trellis during the round (0 with PGlite). */
  postgresCpuSeconds: number;
  /** Share of the machine's CPU used by other processes during the round (0–1). */
  otherCpuShare: number;
}

export interface CatalogBenchOptions {
  /** Requests per round and side. */
  total: number;
  /** Clients at once, each with its own token and keep-alive connection. */
  concurrency: number;
  /** Alternating rounds, after a warm-up of both sides. */
  rounds: number;
  /** Administrative URL of a PostgreSQL server to create a fresh database on; embedded PGlite without. */
  postgresUrl?: string | undefined;
  /** Shared cache (`REDIS_URL`): the catalog is then cached in Redis, as across instances. */
  redisUrl?: string | undefined;
}

export interface CatalogBenchResult {
  database: 'pglite' | 'postgresql';
  cache: 'memory' | 'redis';
  /** The captured response: bytes and number of templates in it. */
  bodyBytes: number;
  templates: number;
  /** API tokens used: one per concurrent client. */
  tokens: number;
  rows: CatalogBenchRound[];
}

/**
 * The demo tenant goes on the enterprise tier (3 000 requests per minute per token, 15 000 per tenant):
 * the benchmark measures the limiter's cost, not its refusals.
 */
async function useEnterpriseTier(db: Db, tenantId: string): Promise<void> {
  await db.withTenant(tenantId, (tx) =>
    tx
      .insertInto('tenant_settings')
      .values({
        tenant_id: tenantId,
        key: RATE_LIMIT_TIER_SETTING,
        value: JSON.stringify('enterprise'),
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'key']).doUpdateSet({ value: JSON.stringify('enterprise') }),
      )
      .execute(),
  );
}

/** `count` read-only API tokens (`catalog:read`) of the tenant, as `count` API clients would hold. */
async function createReadTokens(trellis: RunningTrellis, tenantId: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await trellis.domain.tokens.create(tenantId, {
      name: `bench catalog reader ${i}`,
      scopes: ['catalog:read'],
      actor: ACTOR,
    });
    tokens.push(created.token);
  }
  return tokens;
}

/**
 * One real response of the catalog read, the body the bare route will serve. Start-up work (migrations,
 * the API document) can lag the event loop past the load-shedding threshold on a busy machine: until
 * `/readyz` answers 200, requests may be shed with 503, so the capture waits for it.
 */
async function captureResponse(
  trellisUrl: string,
  ca: string,
  token: string,
): Promise<{ text: string; json: unknown }> {
  const dispatcher = new Agent({ connect: { ca } });
  try {
    for (let attempt = 0; ; attempt++) {
      const ready = await request(`${trellisUrl}/readyz`, { dispatcher });
      await ready.body.dump();
      if (ready.statusCode === 200) break;
      if (attempt === 300) throw new Error(`/readyz: ${ready.statusCode} for 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await request(`${trellisUrl}${PATH}`, {
      dispatcher,
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${PATH}: ${res.statusCode} ${text}`);
    return { text, json: JSON.parse(text) };
  } finally {
    await dispatcher.close();
  }
}

/** Runs the comparison; Trellis, the bare route and the clients share this process and its event loop. */
export async function catalogBench(options: CatalogBenchOptions): Promise<CatalogBenchResult> {
  const { total, concurrency, rounds } = options;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'trellis-bench-catalog-'));
  const database = options.postgresUrl ? await createBenchDatabase(options.postgresUrl) : undefined;
  const config = loadConfig({
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    PORT: '0',
    SANDBOX_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The per-IP limit would refuse one client's thousands of requests; the per-token tiers still run.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  // The sandbox is started only because the embedded demo tenant and its catalog come with it; it is idle.
  const trellis = await startTrellis(config, { log: createLogger('warn'), sandbox: true }).catch(
    async (error: unknown) => {
      await database?.drop();
      throw error;
    },
  );
  let bare: ReturnType<typeof Fastify> | undefined;
  try {
    const { tenantId } = await demoTenant(trellis.db);
    await useEnterpriseTier(trellis.db, tenantId);
    const tokens = await createReadTokens(trellis, tenantId, concurrency);
    const ca = await readFile(trellis.caPath ?? '', 'utf8');
    const trellisUrl = `${trellis.url}${PATH}`;
    const captured = await captureResponse(trellis.url, ca, tokens[0] ?? '');

    const material = await ensureLocalCertificate(path.join(dataDir, 'tls'), [
      'localhost',
      '127.0.0.1',
      '::1',
    ]);
    bare = Fastify({ serverFactory: serverFactoryFor(config, material) });
    // Serialised on every request, as Trellis serialises its answer (with its response schema).
    bare.get(PATH, async () => captured.json);
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `https://localhost:${(bare.server.address() as { port: number }).port}${PATH}`;

    const headersOf = (client: number) => ({ authorization: `Bearer ${tokens[client % tokens.length]}` });
    const trellisLoad = (n: number) => runLoad({ url: trellisUrl, ca, total: n, concurrency, headersOf });
    const bareLoad = (n: number) => runLoad({ url: bareUrl, ca, total: n, concurrency });
    await trellisLoad(Math.min(500, total));
    await bareLoad(Math.min(500, total));
    const rows: CatalogBenchRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const backends = async () =>
        database && options.postgresUrl ? backendCpuMs(options.postgresUrl, database.name) : new Map();
      const backendsBefore = await backends();
      const started = performance.now();
      const span = await startCpuSpan([]);
      const t = await trellisLoad(total);
      const b = await bareLoad(total);
      const cpu = await span();
      const postgresSeconds = backendCpuSeconds(backendsBefore, await backends());
      const other = Math.max(0, cpu.otherSeconds - postgresSeconds);
      rows.push({
        round,
        trellis: t,
        bare: b,
        postgresCpuSeconds: +postgresSeconds.toFixed(1),
        otherCpuShare: +(
          other /
          (((performance.now() - started) / 1000) * os.availableParallelism())
        ).toFixed(2),
      });
    }
    const items = (captured.json as { items?: unknown[] }).items ?? [];
    return {
      database: database ? 'postgresql' : 'pglite',
      cache: options.redisUrl ? 'redis' : 'memory',
      bodyBytes: Buffer.byteLength(captured.text),
      templates: items.length,
      tokens: tokens.length,
      rows,
    };
  } finally {
    await bare?.close();
    await trellis.stop('bench');
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
