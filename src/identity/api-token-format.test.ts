import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiTokenHint, generateApiToken, hashApiToken, isWellFormedApiToken } from './api-token-format.ts';

test('tokens are trl_ + 30 random base62 characters + a 6-character checksum', () => {
  const tokens = Array.from({ length: 200 }, generateApiToken);
  for (const t of tokens) {
    assert.match(t, /^trl_[0-9A-Za-z]{36}$/);
    assert.ok(isWellFormedApiToken(t));
  }
  assert.equal(new Set(tokens).size, tokens.length);
});

test('a changed character, a wrong prefix or length fails the offline check', () => {
  const token = generateApiToken();
  const body = token.slice(4);
  for (let i = 0; i < body.length; i++) {
    const c = body[i] === 'a' ? 'b' : 'a';
    const tampered = `trl_${body.slice(0, i)}${c}${body.slice(i + 1)}`;
    assert.equal(isWellFormedApiToken(tampered), false, `position ${i}`);
  }
  assert.equal(isWellFormedApiToken(`ghp_${body}`), false);
  assert.equal(isWellFormedApiToken(token.slice(0, -1)), false);
  assert.equal(isWellFormedApiToken(`${token} `), false);
});

test('only a SHA-256 hash and a short hint are kept', () => {
  const token = generateApiToken();
  assert.match(hashApiToken(token), /^[0-9a-f]{64}$/);
  assert.notEqual(hashApiToken(token), hashApiToken(generateApiToken()));
  const hint = apiTokenHint(token);
  assert.equal(hint, `${token.slice(0, 8)}…${token.slice(-4)}`);
  assert.ok(hint.length < token.length / 2);
});
