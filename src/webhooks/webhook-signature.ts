import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Prefix of webhook signing secrets, so a leaked one is recognisable (secret scanners). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const SIGNATURE_HEADER = 'Trellis-Signature';
/** Receivers should refuse signatures older than this (replay window), as Stripe does. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `whsec_` + 32 random base62 characters (about 190 bits). */
export function generateWebhookSecret(): string {
  let out = WEBHOOK_SECRET_PREFIX;
  for (let i = 0; i < 32; i++) out += BASE62[randomInt(62)];
  return out;
}

/** Hex HMAC-SHA256 of `<t>.<raw body>` with the secret. */
export function computeSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** `t=<unix seconds>,v1=<hex>[,v1=<hex>]`: one v1 per valid secret (two during a rotation). */
export function signatureHeader(secrets: readonly string[], timestamp: number, rawBody: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${computeSignature(s, timestamp, rawBody)}`)].join(',');
}

export type SignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'malformed' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

/**
 * Verifies a `Trellis-Signature` header against the raw request body (bytes as received, before
 * any JSON parsing) with any of the receiver's secrets, and refuses timestamps outside the
 * tolerance (replays). Comparison is constant-time.
 */
export function verifyWebhookSignature(
  secrets: readonly string[],
  header: string | undefined | null,
  rawBody: string | Buffer,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now: number = Date.now(),
): SignatureCheck {
  if (!header) return { valid: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value))
      signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed' };
  if (Math.abs(Math.floor(now / 1000) - timestamp) > toleranceSeconds) {
    return { valid: false, reason: 'timestamp_out_of_tolerance' };
  }
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), 'hex');
    if (signatures.some((candidate) => timingSafeEqual(candidate, expected)))
      return { valid: true, timestamp };
  }
  return { valid: false, reason: 'no_matching_signature' };
}
