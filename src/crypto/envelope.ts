import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { errors } from '../errors/index.ts';
import type { KeyProvider } from './key-provider.ts';

/** What is stored for one encrypted secret: the ciphertext and its wrapped data key. */
export interface Envelope {
  v: 1;
  alg: 'A256GCM';
  kid: string;
  wrapAlg: string;
  wrappedDek: string;
  iv: string;
  tag: string;
  ct: string;
}

/** Binds a ciphertext to where it belongs: moved to another tenant or record, it no longer decrypts. */
export interface EnvelopeContext {
  tenantId: string;
  recordType: string;
  recordId: string;
}

export interface EnvelopeCipher {
  encrypt(context: EnvelopeContext, plaintext: string | Buffer): Promise<Envelope>;
  /** @throws AppError(decryption_failed) on tampering, a moved ciphertext or a wrong key. */
  decrypt(context: EnvelopeContext, envelope: Envelope): Promise<Buffer>;
  /** Re-wraps the data key with the current KEK; the ciphertext itself is untouched. */
  rewrap(envelope: Envelope): Promise<Envelope>;
  readonly keys: KeyProvider;
}

function aad(c: EnvelopeContext): Buffer {
  for (const part of [c.tenantId, c.recordType, c.recordId]) {
    if (!part || part.includes('|'))
      throw errors.internal('envelope context parts must be non-empty and contain no "|"');
  }
  return Buffer.from(`trellis:v1|${c.tenantId}|${c.recordType}|${c.recordId}`);
}

function isEnvelope(value: unknown): value is Envelope {
  const e = value as Envelope;
  return (
    !!e &&
    e.v === 1 &&
    e.alg === 'A256GCM' &&
    [e.kid, e.wrapAlg, e.wrappedDek, e.iv, e.tag, e.ct].every((s) => typeof s === 'string')
  );
}

/**
 * AES-256-GCM envelope encryption: a fresh 256-bit data key and 96-bit IV per secret, the data key
 * wrapped by the key provider. Unwrapped data keys are cached briefly (Key Vault throttles).
 */
export function createEnvelopeCipher(
  keys: KeyProvider,
  options: { cacheTtlMs?: number } = {},
): EnvelopeCipher {
  const dekCache = new LRUCache<string, Buffer>({ max: 1000, ttl: options.cacheTtlMs ?? 5 * 60_000 });

  const unwrap = async (e: Envelope): Promise<Buffer> => {
    const cacheKey = `${e.kid}|${e.wrappedDek}`;
    const cached = dekCache.get(cacheKey);
    if (cached) return cached;
    const dek = await keys.unwrapKey({
      kid: e.kid,
      alg: e.wrapAlg,
      wrapped: Buffer.from(e.wrappedDek, 'base64'),
    });
    if (dek.length !== 32)
      throw errors.decryptionFailed(new Error('unwrapped data key has the wrong length'));
    dekCache.set(cacheKey, dek);
    return dek;
  };

  return {
    keys,
    async encrypt(context, plaintext) {
      const dek = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dek, iv);
      cipher.setAAD(aad(context));
      const ct = Buffer.concat([
        cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
        cipher.final(),
      ]);
      const wrapped = await keys.wrapKey(dek);
      return {
        v: 1,
        alg: 'A256GCM',
        kid: wrapped.kid,
        wrapAlg: wrapped.alg,
        wrappedDek: wrapped.wrapped.toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ct: ct.toString('base64'),
      };
    },
    async decrypt(context, envelope) {
      if (!isEnvelope(envelope)) throw errors.decryptionFailed(new Error('not an envelope'));
      const dek = await unwrap(envelope);
      try {
        const decipher = createDecipheriv('aes-256-gcm', dek, Buffer.from(envelope.iv, 'base64'));
        decipher.setAAD(aad(context));
        decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
      } catch (cause) {
        throw errors.decryptionFailed(cause);
      }
    },
    async rewrap(envelope) {
      if (!isEnvelope(envelope)) throw errors.decryptionFailed(new Error('not an envelope'));
      const dek = await unwrap(envelope);
      const wrapped = await keys.wrapKey(dek);
      return {
        ...envelope,
        kid: wrapped.kid,
        wrapAlg: wrapped.alg,
        wrappedDek: wrapped.wrapped.toString('base64'),
      };
    },
  };
}
