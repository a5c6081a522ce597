import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { AppError } from '../errors/index.ts';
import { createEnvelopeCipher } from './envelope.ts';
import { createLocalKeyProvider } from './local-key-provider.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-keys-'));
after(() => rm(dir, { recursive: true, force: true }));

const isDecryptionFailure = (e: unknown) => e instanceof AppError && e.code === 'decryption_failed';

describe('envelope encryption with the local key provider', async () => {
  const file = path.join(dir, 'kek.json');
  const keys = await createLocalKeyProvider(file);
  const cipher = createEnvelopeCipher(keys);
  const ctx = { tenantId: randomUUID(), recordType: 'secret:webhook', recordId: randomUUID() };

  test('the key file is created with mode 0600 and holds no plaintext of secrets', async () => {
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const envelope = await cipher.encrypt(ctx, 'client-secret-value-123');
    assert.ok(!(await readFile(file, 'utf8')).includes('client-secret-value-123'));
    assert.ok(!JSON.stringify(envelope).includes('client-secret-value-123'));
  });

  test('round trip, with a fresh data key and IV per secret', async () => {
    const a = await cipher.encrypt(ctx, 'same text');
    const b = await cipher.encrypt(ctx, 'same text');
    assert.notEqual(a.ct, b.ct);
    assert.notEqual(a.wrappedDek, b.wrappedDek);
    assert.notEqual(a.iv, b.iv);
    assert.equal((await cipher.decrypt(ctx, a)).toString(), 'same text');
    assert.equal(a.alg, 'A256GCM');
    assert.equal(Buffer.from(a.iv, 'base64').length, 12);
  });

  test('tampered ciphertext, tag, IV or wrapped key fail to decrypt', async () => {
    const e = await cipher.encrypt(ctx, 'do not touch');
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] = (buf[0] ?? 0) ^ 0x01;
      return buf.toString('base64');
    };
    for (const field of ['ct', 'tag', 'iv', 'wrappedDek'] as const) {
      await assert.rejects(
        createEnvelopeCipher(keys).decrypt(ctx, { ...e, [field]: flip(e[field]) }),
        isDecryptionFailure,
        field,
      );
    }
  });

  test('a ciphertext moved to another tenant or another record fails to decrypt', async () => {
    const e = await cipher.encrypt(ctx, 'bound to its place');
    await assert.rejects(cipher.decrypt({ ...ctx, tenantId: randomUUID() }, e), isDecryptionFailure);
    await assert.rejects(cipher.decrypt({ ...ctx, recordId: randomUUID() }, e), isDecryptionFailure);
    await assert.rejects(cipher.decrypt({ ...ctx, recordType: 'secret:crm' }, e), isDecryptionFailure);
  });

  test('rotation: new secrets use the new key, old ones still decrypt, rewrap moves them', async () => {
    const before = await cipher.encrypt(ctx, 'written before rotation');
    const oldKid = before.kid;
    const newKid = await keys.rotate();
    assert.notEqual(newKid, oldKid);
    const afterRotation = await cipher.encrypt(ctx, 'written after');
    assert.equal(afterRotation.kid, newKid);
    assert.equal((await cipher.decrypt(ctx, before)).toString(), 'written before rotation');
    const rewrapped = await cipher.rewrap(before);
    assert.equal(rewrapped.kid, newKid);
    assert.equal(rewrapped.ct, before.ct, 'rewrap leaves the ciphertext untouched');
    assert.equal(
      (await createEnvelopeCipher(keys).decrypt(ctx, rewrapped)).toString(),
      'written before rotation',
    );
  });

  test('the key file survives a restart: a new provider on the same file decrypts old secrets', async () => {
    const e = await cipher.encrypt(ctx, 'persisted');
    const reopened = createEnvelopeCipher(await createLocalKeyProvider(file));
    assert.equal((await reopened.decrypt(ctx, e)).toString(), 'persisted');
  });

  test('another key file cannot decrypt', async () => {
    const e = await cipher.encrypt(ctx, 'not yours');
    const stranger = createEnvelopeCipher(await createLocalKeyProvider(path.join(dir, 'other.json')));
    await assert.rejects(stranger.decrypt(ctx, e), (err: unknown) => err instanceof AppError);
  });
});
