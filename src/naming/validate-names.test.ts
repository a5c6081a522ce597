import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateNames } from './validate-names.ts';

const codes = (names: Parameters<typeof validateNames>[0]) =>
  validateNames(names).map((v) => `${v.field}:${v.code}`);

describe('validateNames against Microsoft 365 group limits', () => {
  test('valid names pass, including every special character Microsoft allows in a nickname', () => {
    assert.deepEqual(
      validateNames({
        displayName: 'Marketing – Q3 (Paris) / “Été”',
        mailNickname: "a.b_c-d!#$%&'*+/=?^`{|}~9",
        description: 'x'.repeat(1024),
      }),
      [],
    );
  });

  test('display name: empty, blank, leading/trailing spaces, 257 characters, line breaks', () => {
    assert.deepEqual(codes({ displayName: '', mailNickname: 'ok' }), ['displayName:required']);
    assert.deepEqual(codes({ displayName: '   ', mailNickname: 'ok' }), ['displayName:required']);
    assert.deepEqual(codes({ displayName: ' Team ', mailNickname: 'ok' }), [
      'displayName:leading_trailing_space',
    ]);
    assert.deepEqual(codes({ displayName: 'x'.repeat(256), mailNickname: 'ok' }), []);
    assert.deepEqual(codes({ displayName: 'x'.repeat(257), mailNickname: 'ok' }), ['displayName:too_long']);
    assert.deepEqual(codes({ displayName: 'Two\nlines', mailNickname: 'ok' }), [
      'displayName:invalid_character',
    ]);
  });

  test('mail nickname: empty and 65 characters', () => {
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: '' }), ['mailNickname:required']);
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'a'.repeat(64) }), []);
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'a'.repeat(65) }), ['mailNickname:too_long']);
  });

  test('mail nickname: each character Graph lists as invalid is refused, and named', () => {
    for (const c of ['@', '(', ')', '\\', '[', ']', '"', ';', ':', '<', '>', ',', ' ']) {
      const [v] = validateNames({ displayName: 'ok', mailNickname: `a${c}b` });
      assert.equal(v?.code, 'invalid_character', JSON.stringify(c));
      assert.ok(v?.message.includes(c === ' ' ? 'SPACE' : `"${c}"`), v?.message);
    }
  });

  test('mail nickname: non-ASCII and control characters are refused', () => {
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'équipe' }), [
      'mailNickname:invalid_character',
    ]);
    const [v] = validateNames({ displayName: 'ok', mailNickname: 'a\tb' });
    assert.match(v?.message ?? '', /U\+0009/);
  });

  test('mail nickname: a dot may not lead, trail or be doubled', () => {
    for (const nick of ['.team', 'team.', 'te..am']) {
      assert.deepEqual(codes({ displayName: 'ok', mailNickname: nick }), ['mailNickname:invalid_dot'], nick);
    }
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'te.am' }), []);
  });

  test('description: at most 1024 characters; absent description is not checked', () => {
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'ok', description: 'x'.repeat(1025) }), [
      'description:too_long',
    ]);
    assert.deepEqual(codes({ displayName: 'ok', mailNickname: 'ok' }), []);
  });

  test('every violation is reported at once', () => {
    assert.deepEqual(codes({ displayName: ' ' + 'x'.repeat(300), mailNickname: '.a b' }), [
      'displayName:leading_trailing_space',
      'displayName:too_long',
      'mailNickname:invalid_character',
      'mailNickname:invalid_dot',
    ]);
  });
});
