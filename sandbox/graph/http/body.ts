import type { VerifiedCaller } from '../../entra/access-tokens.ts';
import type { DirectoryGroup } from '../../state/types.ts';
import { isReplicated } from '../model/directory.ts';
import { GraphError, graphErrors } from './errors.ts';
import type { GraphCall } from './route.ts';

/** The JSON object body of a request. @throws GraphError(400) */
export function jsonBody(call: GraphCall): Record<string, unknown> {
  const body = call.body;
  if (
    body === undefined ||
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    Buffer.isBuffer(body)
  ) {
    throw graphErrors.badRequest('Empty or invalid JSON payload: expected a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** An optional JSON object body (archive, …). */
export function optionalJsonBody(call: GraphCall): Record<string, unknown> {
  return call.body === undefined || call.body === null ? {} : jsonBody(call);
}

/** A required string property. @throws GraphError(400) */
export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw graphErrors.badRequest(`The '${key}' property is required and must be a non-empty string.`);
  }
  return value;
}

/** An optional string (null or absent → null). @throws GraphError(400) */
export function optionalString(body: Record<string, unknown>, key: string): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw graphErrors.badRequest(`The '${key}' property must be a string.`);
  return value;
}

/** Who acts: the signed-in user, or the calling application. */
export function actorOf(caller: VerifiedCaller): { kind: 'user' | 'application'; id: string } {
  return caller.userId ? { kind: 'user', id: caller.userId } : { kind: 'application', id: caller.clientId };
}

/**
 * A group still replicating (created moments ago) is unknown to Teams and SharePoint: 404, counted.
 * @throws GraphError(404 NotFound)
 */
export function requireReplicated(call: GraphCall, group: DirectoryGroup, what = 'Team'): void {
  if (isReplicated(group, call.now)) return;
  call.ctx.faults.countReplicationLag();
  throw new GraphError(
    404,
    'NotFound',
    `${what} operation failed: the group ${group.id} was not found. It may not have replicated yet; retry in a few seconds.`,
  );
}
