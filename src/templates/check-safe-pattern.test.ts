import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSafePattern } from './check-safe-pattern.ts';

test('accepts ordinary patterns', () => {
  for (const p of ['[A-Z]{3}-[0-9]{4}', 'CC-\\d{4}', '(foo|bar)-[a-z]+', '(?:ab)+', '[(+*)]+']) {
    assert.equal(checkSafePattern(p), undefined, p);
  }
});

test('refuses catastrophic-backtracking shapes, back-references, lookbehind and invalid syntax', () => {
  for (const p of [
    '(a+)+',
    '(a|aa)*',
    '(x*y*)*z',
    '(\\w+\\s?)+$',
    '(a)\\1',
    '(?<=a)b',
    '([a-z]',
    'x'.repeat(201),
  ]) {
    assert.notEqual(checkSafePattern(p), undefined, p);
  }
});
