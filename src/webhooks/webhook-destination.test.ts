import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertWebhookUrl, guardedLookup, isPrivateAddress } from './webhook-destination.ts';

test('private, loopback, link-local and mapped addresses are recognised', () => {
  for (const ip of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::10.0.0.1',
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

test('subscription URLs must be HTTPS, without credentials, and public unless allowed', () => {
  assert.equal(assertWebhookUrl('https://hooks.example.com/trellis', false).hostname, 'hooks.example.com');
  for (const bad of [
    'http://hooks.example.com/',
    'ftp://x/',
    'not a url',
    'https://user:pw@hooks.example.com/',
    'https://127.0.0.1/',
    'https://[::1]:8443/',
    'https://169.254.169.254/latest',
    'https://localhost/',
  ]) {
    assert.throws(() => assertWebhookUrl(bad, false), { code: 'validation_failed' }, bad);
  }
  assert.equal(assertWebhookUrl('https://127.0.0.1:9/', true).port, '9');
});

test('the connection-time lookup refuses names that resolve to private addresses', async () => {
  const resolve = (allow: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((done) => {
      guardedLookup(allow)('localhost', {}, (error, address) => done({ error, address }));
    });
  const refused = await resolve(false);
  assert.equal(refused.error?.code, 'EPRIVATEADDRESS');
  const allowed = await resolve(true);
  assert.equal(allowed.error, null);
  assert.match(String(allowed.address), /^(127\.0\.0\.1|::1)$/);
});
