import { createHash, randomBytes } from 'node:crypto';
import type { TenantState } from '../state/types.ts';

/** Authorization codes live ten minutes, as in Entra. */
export const CODE_LIFETIME_MS = 10 * 60_000;
/** Refresh tokens: Entra's default 90-day sliding window. */
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600_000;
/** Redeemed codes are remembered this long so that a replay says "already redeemed". */
const REDEEMED_CODE_MEMORY_MS = 60 * 60_000;

/** An authorization code, bound to its client, redirect URI, user and PKCE challenge. */
export interface AuthorizationCodeRecord {
  /** SHA-256 of the code (base64url): the code itself is never stored. */
  codeHash: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  /** The `scope` of the authorize request. */
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  /** Epoch seconds of the sign-in (`auth_time`). */
  authTime: number;
  issuedAt: number;
  expiresAt: number;
  redeemedAt: number | null;
}

/** A refresh token; rotated on every use (the old one stops working). */
export interface RefreshTokenRecord {
  tokenHash: string;
  clientId: string;
  userId: string;
  /** Scopes as requested (resource-qualified), reused when a refresh names none. */
  scope: string;
  authTime: number;
  issuedAt: number;
  expiresAt: number;
  /** Set once it has been exchanged; a second use is refused. */
  usedAt: number | null;
}

/** What Entra remembers between the authorize and token endpoints, per tenant (persisted). */
export interface EntraState {
  codes: AuthorizationCodeRecord[];
  refreshTokens: RefreshTokenRecord[];
}

/** The tenant's Entra grant state, created on first use (older state files have none). */
export function entraState(tenant: TenantState): EntraState {
  tenant.entra ??= { codes: [], refreshTokens: [] };
  return tenant.entra;
}

/** SHA-256, base64url: how codes and refresh tokens are looked up. */
export function grantHash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** An opaque grant in the shape Entra's have (`1.A…`), 384 random bits. */
export function newOpaqueGrant(): string {
  return `1.A${randomBytes(48).toString('base64url')}`;
}

/** Drops expired codes and refresh tokens (called on every write). */
export function pruneGrants(state: EntraState, now: number): void {
  state.codes = state.codes.filter((c) =>
    c.redeemedAt === null
      ? c.expiresAt > now - REDEEMED_CODE_MEMORY_MS
      : c.redeemedAt > now - REDEEMED_CODE_MEMORY_MS,
  );
  state.refreshTokens = state.refreshTokens.filter(
    (r) => r.expiresAt > now && (r.usedAt === null || r.usedAt > now - REDEEMED_CODE_MEMORY_MS),
  );
}

/** Finds a code (or refresh token) by its value across tenants: `/common` redemptions name no tenant. */
export function findGrant<T extends 'codes' | 'refreshTokens'>(
  tenants: readonly TenantState[],
  kind: T,
  value: string,
): { tenant: TenantState; record: EntraState[T][number] } | undefined {
  const hash = grantHash(value);
  for (const tenant of tenants) {
    const records = entraState(tenant)[kind] as EntraState[T][number][];
    const record = records.find((r) => ('codeHash' in r ? r.codeHash : r.tokenHash) === hash);
    if (record) return { tenant, record };
  }
  return undefined;
}
