/**
 * Every error Trellis reports carries one of these codes. They are part of the public API
 * (problem responses, CLI output, bot cards): add codes, never rename them.
 */
export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  ValidationFailed: 'validation_failed',
  BadRequest: 'bad_request',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  ConsentRequired: 'consent_required',
  NotFound: 'not_found',
  Conflict: 'conflict',
  IdempotencyKeyReused: 'idempotency_key_reused',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  RateLimited: 'rate_limited',
  HttpsRequired: 'https_required',
  TenantRequired: 'tenant_required',
  DecryptionFailed: 'decryption_failed',
  KeyNotFound: 'key_not_found',
  StorageFailed: 'storage_failed',
  DatabaseUnsafeRole: 'database_unsafe_role',
  MigrationFailed: 'migration_failed',
  Unavailable: 'service_unavailable',
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Record<ErrorCode, number> = {
  config_invalid: 500,
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  consent_required: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  https_required: 403,
  tenant_required: 500,
  decryption_failed: 500,
  key_not_found: 500,
  storage_failed: 502,
  database_unsafe_role: 500,
  migration_failed: 500,
  service_unavailable: 503,
  internal_error: 500,
};

/** The HTTP status a code is rendered with by the API's error handler. */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** Process exit code for the CLI: 2 for bad configuration or usage, 1 for everything else. */
export function exitCodeFor(code: ErrorCode): number {
  return code === ErrorCode.ConfigInvalid || code === ErrorCode.ValidationFailed ? 2 : 1;
}
