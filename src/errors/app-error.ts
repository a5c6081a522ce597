import { ErrorCode, httpStatusFor } from './error-code.ts';

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe-to-show structured details (field errors …); rendered for statuses below 500 only. */
  details?: Record<string, unknown>;
  httpStatus?: number;
  /** Extra response headers (Retry-After …). */
  headers?: Record<string, string>;
}

/** The one error type Trellis throws on purpose; rendered by the HTTP error handler, the CLI and the bot. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? httpStatusFor(code);
    this.details = options.details;
    this.headers = options.headers;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Factories, so call sites read as what happened rather than which status it maps to. */
export const errors = {
  config: (variable: string, message: string) =>
    new AppError(ErrorCode.ConfigInvalid, `${variable}: ${message}`, { details: { variable } }),
  validation: (message: string, details?: Record<string, unknown>) =>
    new AppError(ErrorCode.ValidationFailed, message, details ? { details } : {}),
  badRequest: (message: string) => new AppError(ErrorCode.BadRequest, message),
  unauthorized: (message = 'Authentication required') => new AppError(ErrorCode.Unauthorized, message),
  forbidden: (message = 'Not allowed') => new AppError(ErrorCode.Forbidden, message),
  notFound: (what: string) => new AppError(ErrorCode.NotFound, `${what} not found`),
  conflict: (message: string) => new AppError(ErrorCode.Conflict, message),
  httpsRequired: () =>
    new AppError(ErrorCode.HttpsRequired, 'This API is served over HTTPS only; plain HTTP is refused.'),
  tenantRequired: () =>
    new AppError(ErrorCode.TenantRequired, 'A tenant-scoped query ran without a tenant; refusing.'),
  decryptionFailed: (cause?: unknown) =>
    new AppError(
      ErrorCode.DecryptionFailed,
      'A secret could not be decrypted (tampered, moved or wrong key).',
      cause === undefined ? {} : { cause },
    ),
  keyNotFound: (kid: string) =>
    new AppError(ErrorCode.KeyNotFound, `Key ${kid} is not known to the key provider`),
  storage: (message: string, cause?: unknown) =>
    new AppError(ErrorCode.StorageFailed, message, cause === undefined ? {} : { cause }),
  unavailable: (message: string, retryAfterSeconds?: number) =>
    new AppError(
      ErrorCode.Unavailable,
      message,
      retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } },
    ),
  internal: (message: string, cause?: unknown) =>
    new AppError(ErrorCode.Internal, message, cause === undefined ? {} : { cause }),
};
