import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/index.ts';
import { proposeFreeMailNickname } from './propose-mail-nickname.ts';

test('a free base is returned unchanged', () => {
  assert.equal(proposeFreeMailNickname('project-alpha', ['other']), 'project-alpha');
});

test('taken bases get -2, -3 … and the comparison ignores case', () => {
  assert.equal(proposeFreeMailNickname('alpha', ['ALPHA']), 'alpha-2');
  assert.equal(proposeFreeMailNickname('alpha', ['alpha', 'Alpha-2', 'alpha-3']), 'alpha-4');
  assert.equal(proposeFreeMailNickname('alpha', new Set(['alpha', 'alpha-3'])), 'alpha-2');
});

test('the base is shortened so the suffix still fits in 64 characters, without a dangling dot', () => {
  const base = `${'a'.repeat(61)}.bc`;
  const out = proposeFreeMailNickname(base, [base]);
  assert.equal(out, `${'a'.repeat(61)}-2`);
  assert.ok(out.length <= 64);
});

test('exhaustion and an empty base are validation errors', () => {
  const taken = ['x', ...Array.from({ length: 998 }, (_, i) => `x-${i + 2}`)];
  assert.throws(
    () => proposeFreeMailNickname('x', taken),
    (e: unknown) => e instanceof AppError && e.code === 'validation_failed',
  );
  assert.throws(() => proposeFreeMailNickname('', []), AppError);
});
