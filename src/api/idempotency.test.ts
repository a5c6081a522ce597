import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './idempotency.ts';

test('canonical JSON ignores key order and undefined members, keeps array order and types', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } }),
    canonicalJson({ a: { c: 'x', d: [2, 1] }, b: 1 }),
  );
  assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }));
  assert.notEqual(canonicalJson({ d: [1, 2] }), canonicalJson({ d: [2, 1] }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: '1' }));
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson(undefined), 'null');
});
