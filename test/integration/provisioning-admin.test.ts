import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { readEvents } from '../../src/cli/commands/request.ts';
import { startProvisioningRig, type ProvisioningRig } from '../helpers/provisioning.ts';

// What an admin does with a failed run (retry from the failed step, cancel with or without removing
// the partial team) and what the live stream shows, against the sandbox.

describe('failed runs: retry, cancel, live events', () => {
  let rig: ProvisioningRig;
  const blockBot = async (disabledByAdmin: boolean) => {
    const res = await rig.sb.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabledByAdmin }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  before(async () => {
    rig = await startProvisioningRig({ faults: 'none' });
  });
  after(() => rig.close());

  test(
    'a run that failed at a step is retried from that step and completes',
    { timeout: 120_000 },
    async () => {
      // A Teams admin blocked the Trellis app: the welcome message cannot be posted.
      await blockBot(true);
      const requestId = await rig.requestTeam('project', 'Heron');
      const failed = await rig.waitForRun(requestId);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.step, 'welcome');
      assert.equal(failed.error?.graphStatus, 403);
      assert.equal(failed.steps.find((s) => s.name === 'planner')?.status, 'done');
      const request = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(request.body.status, 'failed');

      const tooEarly = await rig.tenant.call('POST', `/api/v1/requests/${requestId}/provisioning/cancel`, {
        removeTeam: 'yes',
      });
      assert.equal(tooEarly.status, 400, 'a bad body is refused with a typed error');

      await blockBot(false);
      const retried = await rig.tenant.call('POST', `/api/v1/requests/${requestId}/provisioning/retry`);
      assert.equal(retried.status, 202, JSON.stringify(retried.body));
      assert.equal(retried.body.attempt, 2);
      const done = await rig.waitForRun(requestId);
      assert.equal(done.status, 'completed', JSON.stringify(done.error ?? done.conformance));
      assert.equal(done.teamId, failed.teamId, 'the same team, continued');
      assert.equal(
        done.steps.find((s) => s.name === 'create-group')?.attempts,
        1,
        'done steps were not redone',
      );
      const again = await rig.tenant.call('POST', `/api/v1/requests/${requestId}/provisioning/retry`);
      assert.equal(again.status, 409, 'only a failed run can be retried');

      // The event stream of a finished run replays its log and ends with `done`.
      const res = await rig.trellis.fetch(`/api/v1/requests/${requestId}/events`, {
        headers: { authorization: `Bearer ${rig.tenant.token}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const events: { event: string; id: string | undefined; data: unknown }[] = [];
      for await (const e of readEvents(res.body as unknown as AsyncIterable<Uint8Array>)) events.push(e);
      assert.ok(events.some((e) => e.event === 'log' && e.id));
      assert.equal(events.at(-1)?.event, 'done');
      assert.equal((events.at(-1)?.data as { status: string }).status, 'completed');
      const lastLogId = events.filter((e) => e.id).at(-2)?.id;
      const resumed = await rig.trellis.fetch(`/api/v1/requests/${requestId}/events`, {
        headers: { authorization: `Bearer ${rig.tenant.token}`, 'last-event-id': lastLogId ?? '0' },
      });
      const replay: { event: string }[] = [];
      for await (const e of readEvents(resumed.body as unknown as AsyncIterable<Uint8Array>)) replay.push(e);
      assert.equal(
        replay.filter((e) => e.event === 'log').length,
        1,
        'Last-Event-ID resumes after that entry',
      );
    },
  );

  test('cancelling a failed run can delete the partial team', { timeout: 120_000 }, async () => {
    await blockBot(true);
    try {
      const requestId = await rig.requestTeam('project', 'Ibis');
      const failed = await rig.waitForRun(requestId);
      assert.equal(failed.status, 'failed');
      const teamId = failed.teamId ?? '';
      const before = await rig.sb.fetch(`/sandbox/api/tenants/${rig.env.M365_TENANT_ID}/teams/${teamId}`);
      assert.equal(before.status, 200);
      await before.body?.cancel();

      const cancelled = await rig.tenant.call('POST', `/api/v1/requests/${requestId}/provisioning/cancel`, {
        removeTeam: true,
        reason: 'Wrong customer',
      });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal(cancelled.body.cleanup, 'removed');
      const gone = await rig.sb.fetch(`/sandbox/api/tenants/${rig.env.M365_TENANT_ID}/teams/${teamId}`);
      assert.equal(gone.status, 404, 'the partial team was deleted');
      await gone.body?.cancel();
      const request = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(request.body.status, 'cancelled');

      // Keeping the partial team is the other choice.
      const second = await rig.requestTeam('project', 'Jay');
      const failedToo = await rig.waitForRun(second);
      const kept = await rig.tenant.call('POST', `/api/v1/requests/${second}/provisioning/cancel`, {
        removeTeam: false,
      });
      assert.equal(kept.body.cleanup, 'kept');
      const still = await rig.sb.fetch(
        `/sandbox/api/tenants/${rig.env.M365_TENANT_ID}/teams/${failedToo.teamId}`,
      );
      assert.equal(still.status, 200);
      await still.body?.cancel();
    } finally {
      await blockBot(false);
    }
  });

  test(
    'a team captured as a template provisions back to the same structure',
    { timeout: 120_000 },
    async () => {
      const source = await rig.waitForRun(await rig.requestTeam('project', 'Kestrel'));
      assert.equal(source.status, 'completed');
      const captured = await rig.tenant.call('POST', '/api/v1/templates/capture', {
        teamId: source.teamId,
        slug: 'kestrel-copy',
        name: 'Kestrel copy',
      });
      assert.equal(captured.status, 201, JSON.stringify(captured.body));
      const doc = captured.body.document;
      assert.deepEqual(
        doc.channels.map((c: { displayName: string; membershipType: string }) => [
          c.displayName,
          c.membershipType,
        ]),
        [
          ['Planning', 'standard'],
          ['Design', 'standard'],
          ['Steering committee', 'private'],
          ['Partners', 'shared'],
        ],
      );
      const planning = doc.channels.find((c: { displayName: string }) => c.displayName === 'Planning');
      assert.deepEqual(planning.tabs, [
        {
          displayName: 'Project plan',
          teamsAppId: 'com.microsoft.teamspace.tab.planner',
          plan: 'Project plan',
        },
      ]);
      assert.deepEqual(
        planning.files.map((f: { path: string }) => f.path),
        ['Risks/RAID log.csv'],
      );
      assert.equal(doc.team.picture, 'picture.png', 'the team picture became an asset');
      assert.deepEqual(doc.generalChannel.folders, ['Meeting notes']);
      const plan = doc.planner.plans[0];
      assert.deepEqual(
        plan.buckets.map((b: { name: string }) => b.name),
        ['Initiation', 'Planning', 'Execution', 'Closure'],
      );
      assert.deepEqual(
        plan.tasks[0].checklist.map((i: { title: string }) => i.title),
        ['Scope and objectives', 'Stakeholders', 'Budget'],
      );
      assert.ok(
        captured.body.warnings.some((w: string) => w.includes('Partners')),
        'shared channel files are reported',
      );

      // The captured template provisions a team the conformance check finds identical to it.
      const copy = await rig.waitForRun(
        await rig.requestTeam('kestrel-copy', 'Kestrel twin', {
          metadata: { dataClassification: 'internal' },
          owners: ['megan.bowen@contoso.onmicrosoft.com', 'lynne.robbins@contoso.onmicrosoft.com'],
        }),
      );
      assert.equal(copy.status, 'completed', JSON.stringify(copy.error ?? copy.conformance?.differences));
    },
  );

  test('trellis request watch follows a run to its end and exits 0', { timeout: 120_000 }, async () => {
    const { spawn } = await import('node:child_process');
    const { writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const requestId = await rig.requestTeam('project', 'Lark');
    const caFile = path.join(rig.trellis.dataDir, 'watch-ca.pem');
    await writeFile(caFile, rig.trellis.caCert ?? '');
    const child = spawn(
      process.execPath,
      [
        'src/cli/index.ts',
        'request',
        'watch',
        requestId,
        '--url',
        rig.trellis.url,
        '--ca-file',
        caFile,
        '--json',
      ],
      { env: { PATH: process.env.PATH, TRELLIS_TOKEN: rig.tenant.token, DATA_DIR: rig.trellis.dataDir } },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; data: { status?: string; progress?: number } });
    assert.equal(code, 0, out);
    assert.ok(events.some((e) => e.event === 'progress'));
    assert.ok(events.some((e) => e.event === 'log'));
    assert.equal(events.at(-1)?.event, 'done');
    assert.equal(events.at(-1)?.data.status, 'completed');
  });

  test('a requester without provisioning:manage cannot retry or cancel', async () => {
    const { createTestTenant } = await import('../helpers/api.ts');
    const reader = await createTestTenant(rig.trellis, {
      entraTenantId: rig.env.M365_TENANT_ID,
      scopes: ['requests:read', 'requests:write'],
    });
    const requestId = '00000000-0000-4000-8000-000000000000';
    const res = await reader.call('POST', `/api/v1/requests/${requestId}/provisioning/retry`);
    assert.equal(res.status, 403);
  });
});
