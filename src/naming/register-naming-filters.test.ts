import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialsOf, padStart, slugify } from './register-naming-filters.ts';

test('slug: ASCII, lowercase, single hyphens, no edges', () => {
  assert.equal(slugify('  Crème Brûlée & Co — Straße 2026!  '), 'creme-brulee-co-strasse-2026');
  assert.equal(slugify(42), '42');
  assert.equal(slugify(undefined), '');
});

test('initials: first letter or digit of each word, upper-cased', () => {
  assert.equal(initialsOf('Marketing & Sales operations'), 'MSO');
  assert.equal(initialsOf('research-and-development'), 'RAD');
  assert.equal(initialsOf('élodie 3d team'), 'É3T');
});

test('pad: left-pads with zeros or the given character, width capped against hostile values', () => {
  assert.equal(padStart(7, 3), '007');
  assert.equal(padStart('ab', 5, '*'), '***ab');
  assert.equal(padStart('abcdef', 3), 'abcdef');
  assert.equal(padStart('x', 1e9).length, 1024);
});
