import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { startProvisioningRig, type ProvisioningRig, upn } from '../helpers/provisioning.ts';

// The engine end to end against the sandbox with its strict fault profile: transient 5xx (some after
// the write was applied), throttling, replication lag and slow async operations.

describe('the provisioning engine against the strict sandbox', () => {
  let rig: ProvisioningRig;
  before(async () => {
    rig = await startProvisioningRig({ faults: 'strict' });
  });
  after(() => rig.close());

  test(
    'the richest starter template provisions to a team identical to the template',
    { timeout: 240_000 },
    async () => {
      const requestId = await rig.requestTeam('project', 'Falcon');
      const run = await rig.waitForRun(requestId, 200_000);
      assert.equal(run.status, 'completed', JSON.stringify(run.error ?? run.conformance, null, 1));
      assert.equal(run.progress, 100);
      assert.ok(run.conformance?.matches, 'the conformance check found no difference');
      assert.ok((run.conformance?.checked ?? 0) > 60, `${run.conformance?.checked} elements checked`);
      assert.ok(run.teamId);

      const tree = await rig.tree(run.teamId);
      assert.match(tree.displayName, /^PRJ - Falcon( \(.+\))?$/, 'named by the template rule');
      assert.deepEqual(tree.channels.map((c) => [c.displayName, c.membershipType]).sort(), [
        ['Design', 'standard'],
        ['General', 'standard'],
        ['Partners', 'shared'],
        ['Planning', 'standard'],
        ['Steering committee', 'private'],
      ]);
      const byName = new Map(tree.channels.map((c) => [c.displayName, c]));
      assert.deepEqual(
        byName.get('General')?.tabs.map((t) => t.displayName),
        ['Project handbook'],
      );
      assert.deepEqual(
        byName.get('Planning')?.tabs.map((t) => t.displayName),
        ['Project plan'],
      );
      assert.deepEqual(
        byName.get('General')?.files.map((f) => f.path),
        ['Project charter.md'],
      );
      assert.deepEqual(
        byName.get('Planning')?.files.map((f) => f.path),
        ['Risks/RAID log.csv'],
      );
      const steering = byName.get('Steering committee');
      const adele = tree.members.find((m) => m.displayName === 'Adele Vance');
      assert.ok(adele?.roles.includes('owner'), 'the requester owns the team');
      assert.ok(steering?.members?.some((m) => m.userId === adele?.userId && m.roles.includes('owner')));
      assert.equal(tree.plans.length, 1);
      assert.deepEqual(
        tree.plans[0]?.buckets.map((b) => b.name),
        ['Initiation', 'Planning', 'Execution', 'Closure'],
      );
      assert.deepEqual(tree.installedApps.map((a) => a.displayName).sort(), [
        'Lists',
        'OneNote',
        'Planner',
        'Trellis',
        'Website',
      ]);

      // The welcome message was posted in General by the Trellis bot.
      const conversations = (await (
        await rig.sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/conversations`)
      ).json()) as { value: { teamId?: string | null; channelId?: string | null }[] };
      const general = tree.channels.find((c) => c.displayName === 'General');
      assert.ok(conversations.value.some((c) => c.channelId === general?.id));

      // The request followed the run, and its log tells the story.
      const request = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(request.body.status, 'completed');
      assert.equal(request.body.teamId, run.teamId);
      const log = await rig.tenant.call('GET', `/api/v1/requests/${requestId}/provisioning/log`);
      assert.equal(log.status, 200);
      const messages = log.body.items.map((e: { message: string }) => e.message);
      assert.ok(messages.includes('Provisioning started'));
      assert.ok(messages.some((m: string) => m.startsWith('The team matches its template')));
    },
  );

  test('a plan lists the Graph operations of a template and writes nothing', async () => {
    const before = (await (await rig.sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams`)).json()) as {
      value: unknown[];
    };
    const plan = await rig.tenant.call('POST', '/api/v1/templates/sales-deal-room/plan', {
      name: 'Contoso deal',
      requester: upn('adele.vance'),
    });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    const ops = plan.body.operations as { step: string; method: string; path: string; description: string }[];
    assert.ok(ops.some((o) => o.step === 'create-group' && o.method === 'POST' && o.path === '/groups'));
    assert.equal(ops.filter((o) => o.step === 'channels' && o.path === '/teams/{teamId}/channels').length, 4);
    assert.ok(ops.some((o) => o.step === 'planner' && o.description === 'Create the bucket "Negotiate"'));
    assert.ok(
      plan.body.warnings.some((w: string) => w.includes('delegated permissions')),
      'the label needs delegated permissions',
    );
    const after = (await (await rig.sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams`)).json()) as {
      value: unknown[];
    };
    assert.equal(after.value.length, before.value.length, 'nothing was created');
  });
});
