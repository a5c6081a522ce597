import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../errors/index.ts';
import { assertTransition, canTransition, isClosed, REQUEST_STATUSES } from './request-state.ts';

test('the happy path is allowed step by step', () => {
  const path = ['draft', 'pending_approval', 'approved', 'provisioning', 'completed'] as const;
  path.slice(1).forEach((to, i) => assert.ok(canTransition(path[i] ?? 'draft', to), to));
});

test('ends are final and approval cannot be skipped backwards', () => {
  for (const end of ['rejected', 'cancelled', 'expired', 'completed'] as const) {
    assert.ok(isClosed(end));
    for (const to of REQUEST_STATUSES) assert.equal(canTransition(end, to), false, `${end} → ${to}`);
  }
  assert.equal(canTransition('approved', 'pending_approval'), false);
  assert.equal(canTransition('draft', 'provisioning'), false);
  assert.throws(
    () => assertTransition('rejected', 'approved'),
    (e: { code: string; details: { from: string } }) =>
      e.code === ErrorCode.Conflict && e.details.from === 'rejected',
  );
});

test('a failed run can be retried and drift can be reconciled', () => {
  assert.ok(canTransition('failed', 'provisioning'));
  assert.ok(canTransition('completed_with_drift', 'completed'));
  assert.equal(isClosed('failed'), false);
});
