import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { VerifiedCaller } from '../entra/access-tokens.ts';
import type { TenantState } from '../state/types.ts';
import { vaultHeaders } from './errors.ts';

/** What a Key Vault route gets: the sandbox, and the authenticated caller of a request. */
export interface VaultContext {
  ctx: SandboxContext;
  caller(request: FastifyRequest): VerifiedCaller;
}

/** The vault a request works on: its token's tenant. */
export function vaultTenant(vault: VaultContext, request: FastifyRequest): TenantState {
  return vault.caller(request).tenant;
}

/** Sends a 200 JSON answer with Key Vault's headers. */
export function sendVault(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  status = 200,
): FastifyReply {
  vaultHeaders(request, reply);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * One page of a list (`maxresults`, at most 25; `$skiptoken` from the previous page's `nextLink`).
 */
export function listPage<T>(
  vault: VaultContext,
  request: FastifyRequest,
  path: string,
  items: T[],
): { value: T[]; nextLink: string | null } {
  const query = request.query as Record<string, string | undefined>;
  const max = Math.min(Math.max(Number.parseInt(query.maxresults ?? '25', 10) || 25, 1), 25);
  const offset = query.$skiptoken
    ? Number.parseInt(Buffer.from(query.$skiptoken, 'base64url').toString('utf8'), 10) || 0
    : 0;
  const value = items.slice(offset, offset + max);
  const next = offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : null;
  const apiVersion = query['api-version'] ?? '';
  return {
    value,
    nextLink: next
      ? `${vault.ctx.config.origin}${path}?api-version=${encodeURIComponent(apiVersion)}&$skiptoken=${next}&maxresults=${max}`
      : null,
  };
}

/** The JSON body of a request as an object (an absent body reads as `{}`). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
