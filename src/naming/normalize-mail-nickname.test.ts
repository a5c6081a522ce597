import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeMailNickname } from './normalize-mail-nickname.ts';
import { validateNames } from './validate-names.ts';

test('accents and ligatures are folded to ASCII', () => {
  assert.equal(normalizeMailNickname('Équipe Réseau'), 'Equipe-Reseau');
  assert.equal(normalizeMailNickname('Straße Ærø Łódź'), 'Strasse-AEro-Lodz');
  assert.equal(normalizeMailNickname('Ｆｕｌｌｗｉｄｔｈ ﬁnance'), 'Fullwidth-finance');
});

test('forbidden characters become single hyphens, trimmed at the edges', () => {
  assert.equal(normalizeMailNickname('  R&D: [Paris] (2026) @HQ, "team"; <x> '), 'R-D-Paris-2026-HQ-team-x');
  assert.equal(normalizeMailNickname('a -- b __ c'), 'a-b-__-c');
});

test('dots survive alone but never lead, trail or double', () => {
  assert.equal(normalizeMailNickname('.v1..2.'), 'v1-2');
  assert.equal(normalizeMailNickname('v1.2'), 'v1.2');
  assert.equal(normalizeMailNickname('a .b'), 'a-b');
});

test('long names are cut to 64 characters without a dangling hyphen', () => {
  const out = normalizeMailNickname(`${'a'.repeat(63)} b`);
  assert.equal(out, 'a'.repeat(63));
  assert.equal(normalizeMailNickname('word '.repeat(40)).length <= 64, true);
});

test('scripts with no Latin form give an empty nickname rather than a wrong one', () => {
  assert.equal(normalizeMailNickname('市场部'), '');
  assert.equal(normalizeMailNickname('Маркетинг 2026'), '2026');
});

test('whatever the input, the result passes Microsoft nickname validation or is empty', () => {
  const inputs = [
    'Ünïcödé ☃ team',
    '..--..',
    '🎉 Launch 🎉',
    'x'.repeat(500),
    'a@b(c)d\\e[f]g"h;i:j<k>l,m n',
  ];
  for (const input of inputs) {
    const nick = normalizeMailNickname(input);
    if (nick === '') continue;
    assert.deepEqual(validateNames({ displayName: 'ok', mailNickname: nick }), [], `${input} → ${nick}`);
  }
});
