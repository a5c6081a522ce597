import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from 'node:crypto';
import { vaultErrors } from './errors.ts';
import type { KeyVersionRecord } from './state.ts';

/** RSA encryption algorithms the vault accepts (RSA1_5 is refused: Node forbids PKCS#1 v1.5 decryption). */
const OAEP_HASH = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' } as const;
export type RsaAlgorithm = keyof typeof OAEP_HASH;

/** @throws KeyVaultError(BadParameter) for an algorithm the vault does not support. */
export function checkAlgorithm(alg: unknown): RsaAlgorithm {
  if (typeof alg !== 'string' || !alg) throw vaultErrors.badParameter("Property 'alg' is required.");
  if (!(alg in OAEP_HASH))
    throw vaultErrors.badParameter(`Algorithm ${alg} is not supported by this key (RSA-OAEP, RSA-OAEP-256).`);
  return alg as RsaAlgorithm;
}

/** Decodes Key Vault's base64url `value`. @throws KeyVaultError(BadParameter) */
export function base64UrlInput(value: unknown): Buffer {
  if (typeof value !== 'string' || value.length === 0)
    throw vaultErrors.badParameter("Property 'value' is required.");
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value))
    throw vaultErrors.badParameter("Property 'value' is not valid base64url.");
  return Buffer.from(value, 'base64url');
}

/** RSA-OAEP(-256) encryption with the version's public key (wrapKey, encrypt). */
export function rsaEncrypt(record: KeyVersionRecord, alg: RsaAlgorithm, plaintext: Buffer): Buffer {
  const modulusBytes = record.keySize / 8;
  const hashBytes = alg === 'RSA-OAEP' ? 20 : 32;
  if (plaintext.length > modulusBytes - 2 * hashBytes - 2) {
    throw vaultErrors.badParameter(`The value is too long for ${alg} with a ${record.keySize}-bit key.`);
  }
  const key = createPublicKey({ key: { kty: 'RSA', n: record.jwk.n, e: record.jwk.e }, format: 'jwk' });
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[alg] },
    plaintext,
  );
}

/**
 * RSA-OAEP(-256) decryption with the version's private key (unwrapKey, decrypt).
 * @throws KeyVaultError(BadParameter) when the ciphertext was not made with this key and algorithm.
 */
export function rsaDecrypt(record: KeyVersionRecord, alg: RsaAlgorithm, ciphertext: Buffer): Buffer {
  const key = createPrivateKey({ key: record.jwk, format: 'jwk' });
  try {
    return privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[alg] },
      ciphertext,
    );
  } catch {
    throw vaultErrors.badParameter(
      'Bad Request: the value could not be decrypted with this key and algorithm.',
    );
  }
}
