import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Unique prefix, so secret scanners (GitHub's partner program) can recognise a leaked token. */
export const API_TOKEN_PREFIX = 'trl_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const SHAPE = new RegExp(`^${API_TOKEN_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

function checksum(random: string): string {
  return base62(crc32(random), CHECKSUM_LENGTH);
}

/**
 * A new token: `trl_` + 30 random base62 characters (~178 bits) + a 6-character base62 CRC32 of
 * them, so that a scanner can reject a look-alike offline (GitHub's format).
 */
export function generateApiToken(): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += BASE62[randomInt(62)];
  return `${API_TOKEN_PREFIX}${random}${checksum(random)}`;
}

/** Shape and checksum only: no database look-up is spent on typos and fakes. */
export function isWellFormedApiToken(token: string): boolean {
  if (!SHAPE.test(token)) return false;
  const body = token.slice(API_TOKEN_PREFIX.length);
  return checksum(body.slice(0, RANDOM_LENGTH)) === body.slice(RANDOM_LENGTH);
}

/** What is stored: SHA-256 of the whole token (a fast hash suits 178 bits of entropy). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `trl_AbCd…wxyz`: enough to recognise a token in a list, useless to an attacker. */
export function apiTokenHint(token: string): string {
  return `${token.slice(0, API_TOKEN_PREFIX.length + 4)}…${token.slice(-4)}`;
}
