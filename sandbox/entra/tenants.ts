import type { SandboxContext } from '../context.ts';
import type { TenantState } from '../state/types.ts';
import { aadsts } from './errors.ts';

/** `common` (any account) and `organizations` (any work account): the multi-tenant authorities. */
export type MultiTenantAlias = 'common' | 'organizations';

/** What the `{tenant}` path segment named: one tenant, or a multi-tenant alias. */
export type TenantSegment =
  { kind: 'tenant'; tenant: TenantState } | { kind: 'alias'; alias: MultiTenantAlias };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * Resolves `/{tenant}/…` as Entra does: tenant id, verified domain, `common` or `organizations`.
 * @throws EntraError AADSTS90002 (unknown tenant) or AADSTS900023 (not an id nor a DNS name).
 */
export function resolveTenantSegment(
  ctx: SandboxContext,
  segment: string,
  oauthError = 'invalid_request',
): TenantSegment {
  const key = segment.toLowerCase();
  if (key === 'common' || key === 'organizations') return { kind: 'alias', alias: key };
  if (!GUID.test(key) && !DNS_NAME.test(key)) throw aadsts.tenantInvalid(segment, oauthError);
  const tenant = ctx.store.tenant(key);
  if (!tenant) throw aadsts.tenantNotFound(segment, oauthError);
  return { kind: 'tenant', tenant };
}

/** The path segment a multi-tenant alias or tenant is addressed by in endpoint URLs. */
export function segmentName(segment: TenantSegment): string {
  return segment.kind === 'alias' ? segment.alias : segment.tenant.id;
}
