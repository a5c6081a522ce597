import { AppError, ErrorCode } from '../errors/index.ts';

/** What Graph (or the way to it) answered, as GraphError carries it. */
export interface GraphErrorInit {
  /** Graph's HTTP status; 0 when no answer came (network, timeout, token endpoint unreachable). */
  status: number;
  /** Graph's error code (`Request_ResourceNotFound`, `TooManyRequests` …) or Trellis's for local failures. */
  code: string;
  message: string;
  /** Graph's `request-id`, to quote to Microsoft support. */
  requestId?: string | null;
  /** How long Graph asked to wait (Retry-After), when it did. */
  retryAfterMs?: number | null;
  method?: string;
  /** Path without query string (never a token or a pre-authenticated URL). */
  path?: string;
  cause?: unknown;
}

function appCodeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return ErrorCode.Forbidden;
  if (status === 404) return ErrorCode.NotFound;
  if (status === 409 || status === 412) return ErrorCode.Conflict;
  if (status === 400 || status === 422) return ErrorCode.BadRequest;
  if (status === 413) return ErrorCode.PayloadTooLarge;
  if (status === 0 || status === 429 || status >= 500) return ErrorCode.Unavailable;
  return ErrorCode.Internal;
}

/**
 * Every failed Graph call, whatever went wrong: an AppError whose `code` is Trellis's (403, 404,
 * 409, 503 …), plus Graph's own status, error code and request id. `graphCode` rather than `code`
 * because AppError's `code` is the stable Trellis code the API, CLI and bot render.
 */
export class GraphError extends AppError {
  readonly status: number;
  readonly graphCode: string;
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;

  constructor(init: GraphErrorInit) {
    const code = appCodeFor(init.status);
    const where = init.method && init.path ? `${init.method} ${init.path}: ` : '';
    const retryAfterMs = init.retryAfterMs ?? null;
    super(code, `Microsoft Graph ${where}${init.status || 'no answer'} ${init.code}: ${init.message}`, {
      cause: init.cause,
      details: {
        graphStatus: init.status,
        graphCode: init.code,
        ...(init.requestId ? { graphRequestId: init.requestId } : {}),
      },
      ...(retryAfterMs !== null && code === ErrorCode.Unavailable
        ? { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } }
        : {}),
    });
    this.name = 'GraphError';
    this.status = init.status;
    this.graphCode = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether `error` is a GraphError (optionally with this HTTP status). */
export function isGraphError(error: unknown, status?: number): error is GraphError {
  return error instanceof GraphError && (status === undefined || error.status === status);
}
