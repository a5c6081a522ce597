import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { botState } from '../../sandbox/botframework/world.ts';
import { graphOf } from '../../sandbox/graph/state.ts';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { API_SCOPES, type Caller } from '../../src/api/caller.ts';
import { loadConfig } from '../../src/config.ts';
import { createDomain, type Domain } from '../../src/runtime/domain.ts';
import { openServices } from '../../src/runtime/services.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/index.ts';
import { METADATA, sandboxEnv, upn } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { createTestDatabase } from './postgres.ts';

// Crash safety: worker processes are killed with SIGKILL at random instants while 50 runs of the
// richest starter template provision, and restarted; every run must finish and the sandbox must hold
// exactly one of each object the template asks for.

const RUNS = 50;
const WORKERS = 2;
const CLI = path.join(process.cwd(), 'src', 'cli', 'index.ts');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sb: TestSandbox;
let dataDir: string;
let env: Record<string, string>;
let domain: Domain;
let database: Db;
let close: () => Promise<void>;

before(async () => {
  db = await createTestDatabase();
  sb = await startTestSandbox({ faults: 'none' });
  // Slow enough that kills land inside Graph calls; doubtful 5xx after commits to test look-before-create.
  await sb.fetch('/sandbox/api/faults', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      latency: { distribution: 'uniform', minMs: 5, maxMs: 40 },
      transient: {
        rate: 0.03,
        statuses: [500, 502, 503, 504],
        retryAfterSeconds: 1,
        maxConsecutive: 1,
        afterCommitShare: 0.5,
      },
    }),
  });
  dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-crash-'));
  env = {
    ...sandboxEnv(sb),
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PROVISIONING_LEASE_SECONDS: '3',
    PROVISIONING_RECOVERY_SECONDS: '1',
    PROVISIONING_CONCURRENCY: '10',
  };
  const config = loadConfig({ ...env, PORT: '0' });
  const services = await openServices(config, { migrate: true });
  database = services.db;
  domain = await createDomain({ config, log: createLogger('warn'), ...services });
  // This process only enqueues: the worker processes run every job.
  await domain.start({ workers: false });
  close = async () => {
    await domain.stop();
    await services.close();
  };
});

after(async () => {
  await close?.();
  await sb?.close();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  return child;
}

test(
  `${RUNS} runs survive workers killed with SIGKILL at random instants`,
  { timeout: 600_000 },
  async () => {
    const tenantId = randomUUID();
    await database.withPlatform((tx) =>
      tx
        .insertInto('tenants')
        .values({
          tenant_id: tenantId,
          slug: 'contoso',
          display_name: 'Contoso',
          entra_tenant_id: CONTOSO_TENANT_ID,
        })
        .execute(),
    );
    const actor = { type: 'system' as const, id: 'test', name: 'test' };
    await domain.templates.seedStarterCatalog(tenantId, actor);
    const caller: Caller = {
      tenantId,
      kind: 'api_token',
      id: 'crash-test',
      displayName: 'crash test',
      roles: [],
      scopes: new Set(API_SCOPES),
    };

    const workers: (ChildProcess | undefined)[] = Array.from({ length: WORKERS }, () => startWorker());
    let kills = 0;
    let killing = true;
    // The killer: every 1–3 s one worker dies mid-whatever and comes back 0–0.5 s later (often enough
    // that even a fast machine sees at least 8 kills before the runs finish).
    const killer = (async () => {
      while (killing) {
        await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 2_000));
        if (!killing) break;
        const i = Math.floor(Math.random() * WORKERS);
        const victim = workers[i];
        if (victim && victim.exitCode === null) {
          victim.kill('SIGKILL');
          kills++;
          await new Promise((r) => setTimeout(r, Math.random() * 500));
          workers[i] = startWorker();
        }
      }
    })();

    try {
      const requestIds: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const created = await domain.requests.create(caller, {
          template: 'project',
          name: `Crash ${i}`,
          requester: upn('adele.vance'),
          metadata: METADATA.project,
        });
        let view = created;
        while (view.status === 'pending_approval')
          view = await domain.requests.approve(caller, view.requestId, {});
        requestIds.push(view.requestId);
      }

      const started = Date.now();
      const until = started + 540_000;
      let statuses: { status: string; error: unknown; conformance: unknown; run_id: string }[] = [];
      while (Date.now() < until) {
        statuses = await database.withTenant(tenantId, (tx) =>
          tx.selectFrom('provisioning_runs').select(['status', 'error', 'conformance', 'run_id']).execute(),
        );
        if (
          statuses.length === RUNS &&
          statuses.every((r) =>
            ['completed', 'completed_with_drift', 'failed', 'cancelled'].includes(r.status),
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 500));
      }
      killing = false;
      await killer;
      console.log(`crash test: ${RUNS} runs, ${kills} kills, ${Math.round((Date.now() - started) / 1000)} s`);
      assert.equal(statuses.length, RUNS, 'one run per request');
      assert.deepEqual(
        statuses.filter((r) => r.status !== 'completed'),
        [],
        'every run completed and matched its template',
      );
      assert.ok(kills >= 8, `the workers were killed ${kills} times`);

      // Exactly one of each object in the sandbox.
      const contoso = sb.sandbox.ctx.store.state.tenants.find((t) => t.id === CONTOSO_TENANT_ID);
      assert.ok(contoso);
      const graph = graphOf(contoso);
      const groups = contoso.directory.groups.filter((g) => /^prj-crash-\d+$/.test(g.mailNickname));
      assert.equal(groups.length, RUNS, 'one group per run, none duplicated');
      const conversations = botState(contoso).conversations;
      for (const group of groups) {
        const where = group.mailNickname;
        assert.equal(graph.teams.filter((t) => t.id === group.id).length, 1, `${where}: one team`);
        const channels = graph.channels.filter((c) => c.teamId === group.id);
        assert.deepEqual(
          channels.map((c) => c.displayName).sort(),
          ['Design', 'General', 'Partners', 'Planning', 'Steering committee'],
          where,
        );
        const tabs = graph.tabs.filter((t) => t.teamId === group.id);
        assert.deepEqual(
          tabs.map((t) => t.displayName).sort(),
          ['Project handbook', 'Project plan'],
          `${where}: tabs`,
        );
        const apps = graph.installedApps.filter((a) => a.teamId === group.id).map((a) => a.teamsAppId);
        assert.equal(new Set(apps).size, apps.length, `${where}: no app installed twice`);
        const plans = graph.plans.filter((p) => p.groupId === group.id);
        assert.equal(plans.length, 1, `${where}: one plan`);
        const plan = plans[0];
        assert.ok(plan);
        assert.deepEqual(
          graph.buckets
            .filter((b) => b.planId === plan.id)
            .map((b) => b.name)
            .sort(),
          ['Closure', 'Execution', 'Initiation', 'Planning'],
          `${where}: buckets`,
        );
        const tasks = graph.tasks.filter((t) => t.planId === plan.id);
        assert.equal(tasks.length, 4, `${where}: tasks`);
        assert.deepEqual(
          tasks.map((t) => Object.keys(t.details.checklist).length).sort(),
          [0, 0, 2, 3],
          `${where}: checklists`,
        );
        const drives = graph.drives.filter((d) => d.groupId === group.id).map((d) => d.id);
        const items = graph.driveItems.filter((i) => drives.includes(i.driveId) && i.parentId !== null);
        const keys = items.map((i) => `${i.driveId}/${i.parentId}/${i.name}`);
        assert.equal(new Set(keys).size, keys.length, `${where}: no file or folder twice`);
        assert.equal(items.filter((i) => i.kind === 'file').length, 2, `${where}: two files`);
        const posts = conversations.filter((c) => c.teamId === group.id && c.conversationType === 'channel');
        assert.equal(posts.length, 1, `${where}: one welcome post`);
      }
    } finally {
      killing = false;
      await killer;
      for (const w of workers) w?.kill('SIGKILL');
    }
  },
);
