import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { startProvisioningRig, type ProvisioningRig } from '../helpers/provisioning.ts';
import { createTestDatabase } from './postgres.ts';

// 50 runs at once against Graph's documented throttling limits: the per-tenant adaptive limiter
// must learn the budget from the 429s and every run must still end `completed`.

const RUNS = 50;
const TEMPLATE = {
  schemaVersion: 1,
  slug: 'squad',
  name: 'Squad',
  minimumOwners: 1,
  naming: { displayName: 'SQD {{ request.name }}', mailNickname: 'sqd-{{ request.name | slug }}' },
  generalChannel: {
    tabs: [
      {
        displayName: 'Wiki',
        teamsAppId: 'com.microsoft.teamspace.tab.web',
        configuration: {
          contentUrl: 'https://contoso.example/wiki',
          websiteUrl: 'https://contoso.example/wiki',
        },
      },
    ],
    folders: ['Notes'],
  },
  channels: [
    {
      displayName: 'Build',
      tabs: [{ displayName: 'Board', teamsAppId: 'com.microsoft.teamspace.tab.planner', plan: 'Backlog' }],
    },
    { displayName: 'Run', folders: ['Runbooks'] },
  ],
  planner: {
    plans: [
      {
        title: 'Backlog',
        buckets: [{ name: 'Now' }, { name: 'Next' }],
        tasks: [
          {
            title: 'Set up the board',
            bucket: 'Now',
            checklist: [{ title: 'Columns' }, { title: 'Owners' }],
          },
          { title: 'First retro', bucket: 'Next' },
        ],
      },
    ],
  },
  approval: { stages: [] },
};

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let rig: ProvisioningRig;

before(async () => {
  db = await createTestDatabase();
  rig = await startProvisioningRig({
    faults: 'none',
    env: { DATABASE_URL: db.url, PROVISIONING_CONCURRENCY: String(RUNS), GRAPH_MAX_CONCURRENCY: '48' },
  });
  await rig.faults({
    throttling: { enabled: true, factor: 1 },
    latency: { distribution: 'uniform', minMs: 2, maxMs: 10 },
  });
  const created = await rig.tenant.call('POST', '/api/v1/templates', { document: TEMPLATE });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});
after(async () => {
  await rig?.close();
  await db?.drop();
});

test(`${RUNS} concurrent runs under throttling all finish completed`, { timeout: 600_000 }, async () => {
  const requestIds: string[] = [];
  for (let i = 0; i < RUNS; i++)
    requestIds.push(
      await rig.requestTeam('squad', `Squad ${i}`, { metadata: { dataClassification: 'internal' } }),
    );
  const runs = await Promise.all(requestIds.map((id) => rig.waitForRun(id, 540_000)));
  const failed = runs.filter((r) => r.status !== 'completed');
  assert.deepEqual(
    failed.map((r) => [r.status, r.error, r.conformance?.differences]),
    [],
  );
  const stats = rig.trellis.running.domain.graph.stats(CONTOSO_TENANT_ID);
  assert.ok(stats.throttled > 0, `Graph throttled the runs (${JSON.stringify(stats)})`);
  assert.ok(stats.maxInFlight > 4, 'the limiter grew beyond its start while Graph allowed it');
});
