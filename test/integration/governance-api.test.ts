import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { monthsUpTo } from '../../src/api/routes/governance-routes.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

// The governance dashboard's aggregates over a real database: requests made through the API
// (pending approval), and teams whose provisioning is recorded as the engine records it (a run
// with its frozen spec, conformance and timings; provisioning itself is covered elsewhere).

const TEMPLATE = (slug: string, name: string, minimumOwners: number) => ({
  schemaVersion: 1,
  slug,
  name,
  minimumOwners,
  metadataFieldRefs: ['department'],
  approval: { stages: [{ name: 'Manager', approvers: [{ type: 'user', user: 'ops@example.com' }] }] },
});

interface SeededTeam {
  template: { templateId: string; slug: string };
  status: 'completed' | 'completed_with_drift' | 'failed';
  department?: unknown;
  owners: number;
  seconds: number;
  finishedAt: Date;
  error?: string;
}

/** A request and its run as the engine leaves them when provisioning ends. */
async function seedRun(trellis: TestTrellis, tenantId: string, team: SeededTeam): Promise<string> {
  const requestId = randomUUID();
  const owners = Array.from({ length: team.owners }, (_, i) => `owner${i}@example.com`);
  const started = new Date(team.finishedAt.getTime() - team.seconds * 1000);
  const teamId = team.status === 'failed' ? null : randomUUID();
  await trellis.running.db.withTenant(tenantId, async (tx) => {
    await sql`
      INSERT INTO requests (tenant_id, request_id, template_id, template_slug, template_version, status,
        created_by_type, created_by_id, requester_id, requested_name, metadata, owners, team_id, updated_at)
      VALUES (${tenantId}, ${requestId}, ${team.template.templateId}, ${team.template.slug}, 1, ${team.status},
        'user', 'u1', 'alice@example.com', ${`Team ${requestId.slice(0, 8)}`},
        ${JSON.stringify(team.department === undefined ? {} : { department: team.department })}::jsonb,
        ${owners}, ${teamId}, ${team.finishedAt})`.execute(tx);
    await sql`
      INSERT INTO provisioning_runs (tenant_id, run_id, request_id, status, template_id, template_version,
        team_id, spec, conformance, error, started_at, finished_at, updated_at)
      VALUES (${tenantId}, ${randomUUID()}, ${requestId}, ${team.status}, ${team.template.templateId}, 1,
        ${teamId}, ${JSON.stringify({ owners })}::jsonb,
        ${team.status === 'completed_with_drift' ? JSON.stringify({ differences: [{ path: 'a' }, { path: 'b' }] }) : null}::jsonb,
        ${team.error ? JSON.stringify({ code: 'graph_error', message: team.error }) : null}::jsonb,
        ${started}, ${team.finishedAt}, ${team.finishedAt})`.execute(tx);
  });
  return requestId;
}

describe('GET /api/v1/governance/summary', () => {
  let trellis: TestTrellis;
  let tenant: TestTenant;
  let other: TestTenant;
  const ids: Record<string, string> = {};

  before(async () => {
    trellis = await startTestTrellis();
    tenant = await createTestTenant(trellis);
    other = await createTestTenant(trellis);
    const field = await tenant.call('POST', '/api/v1/metadata-fields', {
      key: 'department',
      label: 'Department',
      type: 'choice',
      choices: [
        { value: 'sales', label: 'Sales' },
        { value: 'legal', label: 'Legal' },
      ],
    });
    assert.equal(field.status, 201, JSON.stringify(field.body));
    const project = await tenant.call('POST', '/api/v1/templates', {
      document: TEMPLATE('project', 'Project', 2),
    });
    const event = await tenant.call('POST', '/api/v1/templates', { document: TEMPLATE('event', 'Event', 1) });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    assert.equal(event.status, 201, JSON.stringify(event.body));

    for (const name of ['Falcon', 'Osprey']) {
      const created = await tenant.call('POST', '/api/v1/requests', {
        template: 'project',
        name,
        requester: 'alice@example.com',
        owners: ['bob@example.com'],
        metadata: { department: 'sales' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'pending_approval');
      ids[name] = created.body.requestId;
    }

    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    const p = { templateId: project.body.templateId, slug: 'project' };
    const e = { templateId: event.body.templateId, slug: 'event' };
    ids.fast = await seedRun(trellis, tenant.tenantId, {
      template: p,
      status: 'completed',
      department: 'sales',
      owners: 2,
      seconds: 30,
      finishedAt: now,
    });
    ids.drift = await seedRun(trellis, tenant.tenantId, {
      template: p,
      status: 'completed_with_drift',
      department: ['sales', 'legal'],
      owners: 3,
      seconds: 200,
      finishedAt: now,
    });
    ids.lonely = await seedRun(trellis, tenant.tenantId, {
      template: p,
      status: 'completed',
      owners: 1,
      seconds: 1200,
      finishedAt: lastMonth,
    });
    ids.event = await seedRun(trellis, tenant.tenantId, {
      template: e,
      status: 'completed',
      department: 'legal',
      owners: 1,
      seconds: 4000,
      finishedAt: lastMonth,
    });
    ids.failed = await seedRun(trellis, tenant.tenantId, {
      template: e,
      status: 'failed',
      owners: 1,
      seconds: 10,
      finishedAt: now,
      error: 'Graph refused the channel',
    });
    // Another tenant's teams never count.
    const theirs = await other.call('POST', '/api/v1/templates', {
      document: { ...TEMPLATE('project', 'Theirs', 1), metadataFieldRefs: [] },
    });
    await seedRun(trellis, other.tenantId, {
      template: { templateId: theirs.body.templateId, slug: 'project' },
      status: 'completed',
      department: 'sales',
      owners: 1,
      seconds: 5,
      finishedAt: now,
    });
  });
  after(() => trellis.close());

  test('counts teams, requests, durations and what needs attention, in this tenant only', async () => {
    const res = await tenant.call('GET', '/api/v1/governance/summary?months=3');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const s = res.body;
    assert.deepEqual(s.totals, {
      teams: 4,
      requests: 7,
      pending: 2,
      failed: 1,
      provisioning: 0,
      drift: 1,
      tooFewOwners: 1,
    });
    assert.deepEqual(
      s.teamsByTemplate.map((t: { slug: string; name: string; count: number }) => [t.slug, t.name, t.count]),
      [
        ['project', 'Project', 3],
        ['event', 'Event', 1],
      ],
    );
    assert.equal(s.teamsByField.field, 'department');
    assert.equal(s.teamsByField.label, 'Department');
    assert.deepEqual(s.teamsByField.items, [
      { value: 'legal', count: 2 },
      { value: 'sales', count: 2 },
      { value: null, count: 1 },
    ]);
    const [, previous, current] = monthsUpTo(new Date(), 3);
    assert.deepEqual(
      s.teamsByMonth.map((m: { month: string; count: number }) => [m.month, m.count]).slice(1),
      [
        [previous, 2],
        [current, 2],
      ],
    );
    assert.equal(s.teamsByMonth.length, 3);

    const d = s.provisioningDurations;
    assert.equal(d.runs, 4, 'finished runs that produced a team');
    assert.equal(d.maxSeconds, 4000);
    assert.equal(d.medianSeconds, 700);
    assert.equal(d.averageSeconds, (30 + 200 + 1200 + 4000) / 4);
    assert.deepEqual(
      d.buckets.map((b: { upToSeconds: number | null; count: number }) => [b.upToSeconds, b.count]),
      [
        [60, 1],
        [300, 1],
        [900, 0],
        [3600, 1],
        [null, 1],
      ],
    );

    assert.deepEqual(
      s.pendingRequests.map((r: { requestId: string }) => r.requestId),
      [ids.Falcon, ids.Osprey],
      'oldest first',
    );
    assert.equal(s.pendingRequests[0].detail, 'Manager', 'the stage waited on');
    assert.equal(s.failedRequests.length, 1);
    assert.equal(s.failedRequests[0].requestId, ids.failed);
    assert.equal(s.failedRequests[0].detail, 'Graph refused the channel');

    const flagged = Object.fromEntries(
      s.attention.map((a: { requestId: string }) => [a.requestId, a]),
    ) as Record<string, { drift: boolean; differences: number; owners: number; minimumOwners: number }>;
    assert.deepEqual(Object.keys(flagged).sort(), [ids.drift, ids.lonely].sort());
    assert.deepEqual(flagged[ids.drift ?? ''], {
      ...flagged[ids.drift ?? ''],
      drift: true,
      differences: 2,
    });
    assert.equal(flagged[ids.lonely ?? '']?.owners, 1);
    assert.equal(flagged[ids.lonely ?? '']?.minimumOwners, 2);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('groups by any metadata field, and an empty tenant has zeroes', async () => {
    const byOther = await tenant.call('GET', '/api/v1/governance/summary?field=costCenter');
    assert.equal(byOther.status, 200);
    assert.deepEqual(byOther.body.teamsByField, {
      field: 'costCenter',
      label: null,
      items: [{ value: null, count: 4 }],
    });
    assert.equal(byOther.body.teamsByMonth.length, 12, 'a year by default');

    const empty = await createTestTenant(trellis);
    const zero = await empty.call('GET', '/api/v1/governance/summary');
    assert.equal(zero.status, 200);
    assert.equal(zero.body.totals.teams, 0);
    assert.equal(zero.body.provisioningDurations.runs, 0);
    assert.equal(zero.body.provisioningDurations.medianSeconds, null);
    assert.ok(zero.body.teamsByMonth.every((m: { count: number }) => m.count === 0));
  });

  test('needs provisioning:manage, and refuses a malformed field', async () => {
    const auditor = await createTestTenant(trellis, { scopes: ['audit:read', 'requests:read'] });
    assert.equal((await auditor.call('GET', '/api/v1/governance/summary')).status, 403);
    const bad = await tenant.call('GET', '/api/v1/governance/summary?field=x%27%3Bdrop');
    assert.equal(bad.status, 400);
    assert.equal((await tenant.call('GET', '/api/v1/governance/summary?months=99')).status, 400);
  });
});
