import { createHash, randomBytes } from 'node:crypto';

/** Where new object ids come from: random for API calls, stable for the seed (same ids after a reset). */
export interface Ids {
  bytes(n: number): Buffer;
}

/** Random ids (every Graph write). */
export const randomIds: Ids = { bytes: (n) => randomBytes(n) };

/** Deterministic ids derived from a key, so a reseeded demo names the same objects. */
export function stableIds(key: string): Ids {
  let counter = 0;
  return {
    bytes(n) {
      const out: Buffer[] = [];
      let length = 0;
      while (length < n) {
        const block = createHash('sha256').update(`${key}#${counter++}`).digest();
        out.push(block);
        length += block.length;
      }
      return Buffer.concat(out).subarray(0, n);
    },
  };
}

/** A GUID (v4 layout), as Entra and Teams use for object ids. */
export function guid(ids: Ids): string {
  const b = ids.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A Teams thread id: `19:{32 hex}@thread.tacv2`. */
export function threadId(ids: Ids): string {
  return `19:${ids.bytes(16).toString('hex')}@thread.tacv2`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A SharePoint drive item id: `01` and 32 base32 characters. */
export function driveItemId(ids: Ids): string {
  const b = ids.bytes(32);
  let out = '01';
  for (const byte of b) out += BASE32[byte & 31];
  return out;
}

/** A document library drive id: `b!` and 64 base64url characters. */
export function driveId(ids: Ids): string {
  return `b!${ids.bytes(48).toString('base64url')}`;
}

/** A Planner id: 28 base64url characters. */
export function plannerId(ids: Ids): string {
  return ids.bytes(21).toString('base64url');
}

/** An opaque id for installations and the like (base64url, short enough for any router). */
export function opaqueId(ids: Ids): string {
  return ids.bytes(24).toString('base64url');
}

/**
 * A conversation membership id: stable for a container and user, short enough for any router.
 * Routes find the member by recomputing it for each member of the container.
 */
export function membershipId(containerId: string, userId: string): string {
  return createHash('sha256')
    .update(`${containerId}##${userId}`)
    .digest()
    .subarray(0, 24)
    .toString('base64url');
}
