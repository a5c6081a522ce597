import { Type } from 'typebox';

/** RFC 9457 problem details as Trellis renders them (src/server/problem.ts). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code (see ErrorCode).' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Unknown()),
  },
  { description: 'RFC 9457 problem details' },
);

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 429 | 500 | 503;

/**
 * Response schemas for the error statuses a route can answer, to spread into `schema.response`.
 * 401, 403, 429 and 500 are always included: every API route authenticates and is rate limited.
 */
export function errorResponses(...statuses: ErrorStatus[]) {
  const out: Record<number, typeof ProblemSchema> = {};
  for (const status of new Set<ErrorStatus>([...statuses, 401, 403, 429, 500])) out[status] = ProblemSchema;
  return out;
}

export const Uuid = Type.String({ format: 'uuid' });
export const DateTime = Type.String({ format: 'date-time' });
