import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, diffRequest } from './diff-request.ts';

const base = {
  name: 'Falcon',
  description: null,
  welcomeMessage: 'Hi',
  metadata: { costCenter: 'CC-1', region: 'EU' },
  owners: ['a@contoso.com'],
  members: [],
};

test('an edit lists each changed field and metadata key, nothing else', () => {
  const after = applyEdits(base, { name: 'Falcon 2', metadata: { costCenter: 'CC-2', region: null } });
  assert.deepEqual(diffRequest(base, after), [
    { field: 'name', before: 'Falcon', after: 'Falcon 2' },
    { field: 'metadata.costCenter', before: 'CC-1', after: 'CC-2' },
    { field: 'metadata.region', before: 'EU', after: null },
  ]);
  assert.equal(after.welcomeMessage, 'Hi');
  assert.deepEqual(diffRequest(base, applyEdits(base, {})), []);
});

test('explicit null clears an optional text; owners are compared as lists', () => {
  const after = applyEdits(base, { welcomeMessage: null, owners: ['a@contoso.com', 'b@contoso.com'] });
  assert.deepEqual(diffRequest(base, after), [
    { field: 'welcomeMessage', before: 'Hi', after: null },
    { field: 'owners', before: ['a@contoso.com'], after: ['a@contoso.com', 'b@contoso.com'] },
  ]);
});
