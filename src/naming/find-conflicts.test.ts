import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findConflicts } from './find-conflicts.ts';

const existing = [
  { id: '1', displayName: 'Marketing Team', mailNickname: 'marketing' },
  { id: '2', displayName: 'Sales', mailNickname: 'Sales-EMEA' },
  { id: '3', displayName: 'Legal', mailNickname: 'legal' },
];

test('no conflict when neither name is taken', () => {
  assert.deepEqual(findConflicts({ displayName: 'Finance', mailNickname: 'finance' }, existing), []);
});

test('display name and nickname clashes are found case-insensitively, with the group', () => {
  const found = findConflicts({ displayName: 'MARKETING team', mailNickname: 'sales-emea' }, existing);
  assert.deepEqual(
    found.map((c) => `${c.field}:${c.group.id}`),
    ['displayName:1', 'mailNickname:2'],
  );
});

test('both fields of the same group are reported', () => {
  const found = findConflicts({ displayName: 'legal', mailNickname: 'LEGAL' }, existing);
  assert.deepEqual(
    found.map((c) => c.field),
    ['displayName', 'mailNickname'],
  );
});

test('groups Graph returns without a nickname do not match an empty-looking candidate by accident', () => {
  const odd = [{ displayName: 'Old', mailNickname: null as unknown as string }];
  assert.deepEqual(findConflicts({ displayName: 'New', mailNickname: 'new' }, odd), []);
});
