import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Pre-authenticated download URLs carry their own proof, like SharePoint's tempauth: no state to keep.
const KEY = randomBytes(32);

/** A short-lived token naming what it grants (`{t: tenant, …}`), valid for `ttlSeconds`. */
export function signDownload(claims: Record<string, string>, ttlSeconds = 300): string {
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Date.now() + ttlSeconds * 1000 })).toString(
    'base64url',
  );
  const mac = createHmac('sha256', KEY).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** The claims of a valid, unexpired token, or undefined. */
export function verifyDownload(token: string): Record<string, string> | undefined {
  const [body, mac] = token.split('.');
  if (!body || !mac) return undefined;
  const expected = createHmac('sha256', KEY).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (typeof claims.exp !== 'number' || claims.exp < Date.now()) return undefined;
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)]));
}
