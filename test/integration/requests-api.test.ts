import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainEvent } from '../../src/events/index.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

// Requests and approvals over the real API, for a tenant without an Entra directory (an
// integration-only tenant): approvers are named users, and an API token decides for them.

const TEMPLATE = {
  schemaVersion: 1,
  slug: 'project',
  name: 'Project',
  minimumOwners: 1,
  naming: { displayName: 'PRJ-{{ metadata.costCenter }} {{ request.name }}' },
  metadataFields: [
    {
      key: 'costCenter',
      label: 'Cost center',
      type: 'text',
      required: true,
      validation: { pattern: '^CC-[0-9]{3}$' },
    },
    { key: 'budget', label: 'Budget', type: 'number', required: false },
  ],
  approval: {
    stages: [
      { name: 'Manager', approvers: [{ type: 'user', user: 'ops@example.com' }], allowEdit: true },
      { name: 'Finance', approvers: [{ type: 'user', user: 'cfo@example.com' }], allowEdit: false },
    ],
    reminderAfterHours: 24,
    expireAfterDays: 14,
  },
};

describe('requests and multi-stage approvals over the API', () => {
  let trellis: TestTrellis;
  let tenant: TestTenant;
  const events: DomainEvent[] = [];

  before(async () => {
    trellis = await startTestTrellis();
    tenant = await createTestTenant(trellis);
    trellis.running.domain.events.subscribe('*', (event) => {
      if (event.tenantId === tenant.tenantId) events.push(event);
    });
    const created = await tenant.call('POST', '/api/v1/templates', { document: TEMPLATE });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(() => trellis.close());

  const newRequest = (name: string, metadata: Record<string, unknown> = { costCenter: 'CC-100' }) =>
    tenant.call('POST', '/api/v1/requests', {
      template: 'project',
      name,
      requester: 'alice@example.com',
      metadata,
    });

  async function eventually(predicate: () => boolean, what: string) {
    for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(predicate(), what);
  }

  test('a request is validated, named by the template and opens its first stage', async () => {
    const invalid = await newRequest('Falcon', { costCenter: 'nope' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.code, 'validation_failed');
    assert.ok(JSON.stringify(invalid.body.errors).includes('costCenter'));

    const preview = await tenant.call('POST', '/api/v1/requests/validate', {
      template: 'project',
      name: 'Falcon',
      requester: 'alice@example.com',
      metadata: { costCenter: 'CC-100' },
    });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.valid, true);
    assert.equal(preview.body.names.displayName, 'PRJ-CC-100 Falcon');
    assert.deepEqual(
      preview.body.approval.map((s: { approvers: { id: string }[] }) => s.approvers.map((a) => a.id)),
      [['ops@example.com'], ['cfo@example.com']],
    );

    const created = await newRequest('Falcon');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.headers.get('location') ?? '', /^\/api\/v1\/requests\/[0-9a-f-]{36}$/);
    const request = created.body;
    assert.equal(request.status, 'pending_approval');
    assert.equal(request.names.displayName, 'PRJ-CC-100 Falcon');
    assert.equal(request.currentStage, 0);
    assert.deepEqual(
      request.stages.map((s: { status: string }) => s.status),
      ['pending', 'waiting'],
    );
    assert.ok(request.owners.includes('alice@example.com'), 'the requester owns the team');
  });

  test('an approver edits while approving: the edit is recorded as a diff, then the next stage opens', async () => {
    const created = (await newRequest('Osprey')).body;
    const stale = await tenant.call('POST', `/api/v1/requests/${created.requestId}/approve`, {
      revision: created.revision - 1,
    });
    assert.equal(stale.status, 409, 'a decision on a stale view is refused');

    const approved = await tenant.call('POST', `/api/v1/requests/${created.requestId}/approve`, {
      comment: 'Fine, with the right cost center',
      stage: 0,
      revision: created.revision,
      edits: { name: 'Osprey Programme', metadata: { costCenter: 'CC-200', budget: 5000 } },
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'pending_approval');
    assert.equal(approved.body.currentStage, 1);
    assert.equal(approved.body.names.displayName, 'PRJ-CC-200 Osprey Programme');
    assert.deepEqual(approved.body.metadata, { costCenter: 'CC-200', budget: 5000 });
    assert.equal(approved.body.stages[0].status, 'approved');
    assert.equal(approved.body.stages[0].comment, 'Fine, with the right cost center');

    const timeline = await tenant.call('GET', `/api/v1/requests/${created.requestId}/activity`);
    const edit = timeline.body.items.find((a: { kind: string }) => a.kind === 'edited');
    assert.deepEqual(edit.diff.changes, [
      { field: 'name', before: 'Osprey', after: 'Osprey Programme' },
      { field: 'metadata.budget', before: null, after: 5000 },
      { field: 'metadata.costCenter', before: 'CC-100', after: 'CC-200' },
    ]);
    assert.equal(edit.stage, 0);

    const noEdit = await tenant.call('POST', `/api/v1/requests/${created.requestId}/approve`, {
      edits: { name: 'Renamed by finance' },
    });
    assert.equal(noEdit.status, 403, 'the finance stage does not allow edits');

    const final = await tenant.call('POST', `/api/v1/requests/${created.requestId}/approve`, { stage: 1 });
    assert.equal(final.body.status, 'approved');
    assert.equal(final.body.currentStage, null);

    const again = await tenant.call('POST', `/api/v1/requests/${created.requestId}/approve`, {});
    assert.equal(again.status, 409, 'nothing left to decide');

    const id = created.requestId;
    const kinds = () => events.filter((e) => e.subject.id === id).map((e) => e.type);
    await eventually(() => kinds().includes('request.approved'), 'request.approved reaches subscribers');
    assert.deepEqual(kinds(), [
      'request.created',
      'request.submitted',
      'approval.requested',
      'request.updated',
      'approval.approved',
      'approval.requested',
      'approval.approved',
      'request.approved',
    ]);
  });

  test('rejection needs a reason and ends the request; a cancelled draft cannot be submitted', async () => {
    const created = (await newRequest('Heron')).body;
    const bare = await tenant.call('POST', `/api/v1/requests/${created.requestId}/reject`, {});
    assert.equal(bare.status, 400);
    const rejected = await tenant.call('POST', `/api/v1/requests/${created.requestId}/reject`, {
      comment: 'Duplicate of Osprey',
    });
    assert.equal(rejected.body.status, 'rejected');
    assert.deepEqual(
      rejected.body.stages.map((s: { status: string }) => s.status),
      ['rejected', 'cancelled'],
    );

    const draft = await tenant.call('POST', '/api/v1/requests', {
      template: 'project',
      name: 'Kestrel',
      requester: 'alice@example.com',
      metadata: { costCenter: 'CC-300' },
      submit: false,
    });
    assert.equal(draft.body.status, 'draft');
    const edited = await tenant.call(
      'PATCH',
      `/api/v1/requests/${draft.body.requestId}`,
      { metadata: { budget: 12 } },
      { 'if-match': `"${draft.body.revision}"` },
    );
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.metadata.budget, 12);
    const cancelled = await tenant.call('POST', `/api/v1/requests/${draft.body.requestId}/cancel`, {
      reason: 'Not needed',
    });
    assert.equal(cancelled.body.status, 'cancelled');
    const submit = await tenant.call('POST', `/api/v1/requests/${draft.body.requestId}/submit`);
    assert.equal(submit.status, 409);
    assert.equal(submit.body.code, 'conflict');
  });

  test('listings filter by status and metadata and page with a cursor', async () => {
    await newRequest('Filter one', { costCenter: 'CC-901' });
    await newRequest('Filter two', { costCenter: 'CC-901' });
    const byMetadata = await tenant.call('GET', '/api/v1/requests?metadata=costCenter:CC-901&limit=1');
    assert.equal(byMetadata.status, 200);
    assert.equal(byMetadata.body.items.length, 1);
    assert.ok(byMetadata.body.nextCursor);
    const next = await tenant.call(
      'GET',
      `/api/v1/requests?metadata=costCenter:CC-901&limit=1&cursor=${byMetadata.body.nextCursor}`,
    );
    assert.equal(next.body.items.length, 1);
    assert.notEqual(next.body.items[0].requestId, byMetadata.body.items[0].requestId);
    assert.equal(next.body.nextCursor, null);

    const rejected = await tenant.call('GET', '/api/v1/requests?status=rejected');
    assert.ok(rejected.body.items.length >= 1);
    assert.ok(rejected.body.items.every((r: { status: string }) => r.status === 'rejected'));
    const pending = await tenant.call('GET', '/api/v1/approvals');
    assert.ok(pending.body.items.every((r: { status: string }) => r.status === 'pending_approval'));
    const bad = await tenant.call('GET', '/api/v1/requests?cursor=bm90LWEtY3Vyc29y');
    assert.equal(bad.status, 400);

    // Text search: in the name (case-insensitive, LIKE wildcards taken literally) or the exact id.
    const byText = await tenant.call('GET', '/api/v1/requests?q=filter%20TWO');
    assert.deepEqual(
      byText.body.items.map((r: { name: string }) => r.name),
      ['Filter two'],
    );
    const wildcard = await tenant.call('GET', '/api/v1/requests?q=%25');
    assert.equal(wildcard.body.items.length, 0, '"%" is a character, not a wildcard');
    const byId = await tenant.call('GET', `/api/v1/requests?q=${byMetadata.body.items[0].requestId}`);
    assert.deepEqual(
      byId.body.items.map((r: { requestId: string }) => r.requestId),
      [byMetadata.body.items[0].requestId],
    );
  });

  test('the sweep reminds approvers once per interval and expires stale requests', async () => {
    const created = (await newRequest('Sweep me')).body;
    const service = trellis.running.domain.requests;
    const submitted = new Date(created.submittedAt).getTime();
    const hours = (h: number) => new Date(submitted + h * 3_600_000);

    const first = await service.sweep(hours(25));
    assert.ok(first.reminded >= 1);
    const view = await tenant.call('GET', `/api/v1/requests/${created.requestId}`);
    assert.equal(view.body.stages[0].remindersSent, 1);
    const repeat = await service.sweep(hours(26));
    const unchanged = await tenant.call('GET', `/api/v1/requests/${created.requestId}`);
    assert.equal(
      unchanged.body.stages[0].remindersSent,
      1,
      `no second reminder within the interval (${repeat.reminded})`,
    );

    await service.sweep(hours(14 * 24 + 1));
    const expired = await tenant.call('GET', `/api/v1/requests/${created.requestId}`);
    assert.equal(expired.body.status, 'expired');
    assert.equal(expired.body.stages[0].status, 'expired');
    await eventually(
      () => events.some((e) => e.subject.id === created.requestId && e.type === 'request.expired'),
      'request.expired is published',
    );
    assert.ok(events.some((e) => e.subject.id === created.requestId && e.type === 'approval.reminder'));
  });

  test('another tenant sees none of these requests', async () => {
    const other = await createTestTenant(trellis);
    const mine = (await newRequest('Private')).body;
    const read = await other.call('GET', `/api/v1/requests/${mine.requestId}`);
    assert.equal(read.status, 404);
    const decide = await other.call('POST', `/api/v1/requests/${mine.requestId}/approve`, {});
    assert.equal(decide.status, 404);
    const list = await other.call('GET', '/api/v1/requests');
    assert.deepEqual(list.body.items, []);
  });
});
