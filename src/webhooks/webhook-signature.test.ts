import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeSignature,
  generateWebhookSecret,
  signatureHeader,
  verifyWebhookSignature,
} from './webhook-signature.ts';

const body = '{"id":"e1","type":"request.approved"}';

test('secrets are whsec_ + 32 base62 characters, never repeated', () => {
  const a = generateWebhookSecret();
  assert.match(a, /^whsec_[0-9A-Za-z]{32}$/);
  assert.notEqual(a, generateWebhookSecret());
});

test('the signature is Stripe’s scheme: HMAC-SHA256 over "<t>.<body>"', () => {
  // Known answer from: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
  const expected = '38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789';
  assert.equal(computeSignature('whsec_test', 1_700_000_000, '{"a":1}'), expected);
  assert.equal(computeSignature('whsec_test', 1_700_000_000, Buffer.from('{"a":1}')), expected);
});

test('a genuine signature verifies; tampering, an old timestamp or another secret does not', () => {
  const secret = generateWebhookSecret();
  const now = Date.now();
  const t = Math.floor(now / 1000);
  const header = signatureHeader([secret], t, body);
  assert.deepEqual(verifyWebhookSignature([secret], header, body, 300, now), { valid: true, timestamp: t });
  assert.deepEqual(verifyWebhookSignature([secret], header, Buffer.from(body), 300, now), {
    valid: true,
    timestamp: t,
  });
  assert.equal(
    verifyWebhookSignature([secret], header, body.replace('approved', 'rejected'), 300, now).valid,
    false,
  );
  assert.deepEqual(verifyWebhookSignature([secret], header, body, 300, now + 301_000), {
    valid: false,
    reason: 'timestamp_out_of_tolerance',
  });
  assert.deepEqual(verifyWebhookSignature([generateWebhookSecret()], header, body, 300, now), {
    valid: false,
    reason: 'no_matching_signature',
  });
  assert.deepEqual(verifyWebhookSignature([secret], 'v1=abc', body, 300, now), {
    valid: false,
    reason: 'malformed',
  });
  assert.deepEqual(verifyWebhookSignature([secret], undefined, body, 300, now), {
    valid: false,
    reason: 'malformed',
  });
});

test('during a rotation the header carries both signatures and either secret verifies', () => {
  const [old, fresh] = [generateWebhookSecret(), generateWebhookSecret()];
  const t = Math.floor(Date.now() / 1000);
  const header = signatureHeader([fresh, old], t, body);
  assert.equal(header.split(',').filter((p) => p.startsWith('v1=')).length, 2);
  assert.equal(verifyWebhookSignature([old], header, body).valid, true);
  assert.equal(verifyWebhookSignature([fresh], header, body).valid, true);
});
