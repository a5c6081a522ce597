import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, isAppError } from '../errors/index.ts';

/** RFC 9457 problem details, plus Trellis's stable `code` and the request id. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: unknown;
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Turns anything thrown into an AppError; Fastify's own errors keep their meaning. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as FastifyError & { validation?: unknown[] };
  if (e?.validation) {
    return new AppError(ErrorCode.ValidationFailed, e.message, {
      details: { errors: e.validation },
      cause: error,
    });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        ErrorCode.PayloadTooLarge,
        'The request body is larger than this endpoint accepts',
        { cause: error },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(ErrorCode.UnsupportedMediaType, e.message, { cause: error });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(ErrorCode.BadRequest, e.message, { cause: error });
  }
  if (e?.statusCode === 429)
    return new AppError(ErrorCode.RateLimited, 'Too many requests; slow down', { cause: error });
  if (e?.statusCode === 503)
    return new AppError(ErrorCode.Unavailable, 'Service temporarily unavailable', { cause: error });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(ErrorCode.BadRequest, e.message, { cause: error, httpStatus: e.statusCode });
  }
  return new AppError(ErrorCode.Internal, 'Internal error', { cause: error });
}

export function problemOf(error: AppError, requestId: string): Problem {
  const status = error.httpStatus;
  const problem: Problem = {
    type: `urn:trellis:problem:${error.code}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    // Details of server errors stay in the logs.
    detail:
      status < 500
        ? error.message
        : 'The server could not complete the request. Quote the request id to support.',
    code: error.code,
    requestId,
  };
  if (status < 500 && error.details) problem.errors = error.details;
  return problem;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply.code(error.httpStatus).type('application/problem+json').send(problemOf(error, request.id));
}

/** The one place errors become HTTP responses. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, appError.message);
    return sendProblem(request, reply, appError);
  });
}
