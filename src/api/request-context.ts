import type { FastifyRequest } from 'fastify';
import type { AuditSource } from '../audit/index.ts';
import { errors } from '../errors/index.ts';
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
