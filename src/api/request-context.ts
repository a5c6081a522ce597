import type { FastifyRequest } from 'fastify';
import type { AuditSource } from '../audit/index.ts';
import { errors } from '../errors/index.ts';
import type { SignedInUser } from '../graph/index.ts';
import { API_TOKEN_PREFIX } from '../identity/index.ts';
import type { Caller } from './caller.ts';

/**
 * The authenticated caller of an /api/v1 route.
 * @throws AppError unauthorized when the route ran without one (a route marked 'public').
 */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw errors.unauthorized();
  return request.caller;
}

/** Where a change came from, for the audit trail. */
export function sourceOf(request: FastifyRequest): AuditSource {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined,
    requestId: request.id,
  };
}

/**
 * The signed-in user behind a request, as Graph's on-behalf-of flow needs them (their own Entra token
 * for Trellis's API is the assertion).
 * @throws AppError bad_request for an API token: it acts for no user.
 */
export function signedInUser(request: FastifyRequest): SignedInUser {
  const caller = callerOf(request);
  const header = request.headers.authorization ?? '';
  const assertion = header.replace(/^Bearer\s+/i, '');
  if (
    caller.kind !== 'user' ||
    !caller.entraTenantId ||
    !assertion ||
    assertion.startsWith(API_TOKEN_PREFIX)
  ) {
    throw errors.badRequest('This operation acts on behalf of a signed-in user; an API token cannot use it.');
  }
  return { entraTenantId: caller.entraTenantId, userId: caller.id, assertion };
}
