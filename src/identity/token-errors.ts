import { errors as jose } from 'jose';
import { AppError, ErrorCode, errors } from '../errors/index.ts';

/** The check a token failed, reported in `AppError.details.rule`. */
export type TokenRule =
  | 'bearer-scheme'
  | 'well-formed'
  | 'tenant'
  | 'issuer'
  | 'audience'
  | 'lifetime'
  | 'signature'
  | 'service-url'
  | 'endorsement'
  | 'scope';

/** 401 for a token that does not prove who is calling; 403 for a proven caller that is not allowed. */
export function tokenError(
  status: 'unauthorized' | 'forbidden',
  rule: TokenRule,
  message: string,
  cause?: unknown,
): AppError {
  return new AppError(status === 'unauthorized' ? ErrorCode.Unauthorized : ErrorCode.Forbidden, message, {
    details: { rule },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads part of a token before its signature is checked (header kid, payload tid).
 * @throws AppError(unauthorized, rule well-formed) when the token is not a JWT.
 */
export function readUnverified<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw tokenError('unauthorized', 'well-formed', `${what}: the token is not a well-formed JWT.`, cause);
  }
}

/** Extracts the token of `Authorization: Bearer …`. */
export function bearerToken(header: string | undefined, what: string): string {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/.exec(header) : null;
  if (!match?.[1]) {
    throw tokenError(
      'unauthorized',
      'bearer-scheme',
      `${what}: the Authorization header must be "Bearer <token>".`,
    );
  }
  return match[1];
}

/**
 * Names the rule behind a jose verification failure.
 * @returns the AppError to throw (Unavailable when the keys could not be fetched at all).
 */
export function fromJoseError(
  error: unknown,
  what: string,
  expected: { issuer: string; audience: string },
): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof jose.JWTExpired) {
    return tokenError(
      'unauthorized',
      'lifetime',
      `${what}: the token expired (beyond the clock skew).`,
      error,
    );
  }
  if (error instanceof jose.JWTClaimValidationFailed) {
    if (error.claim === 'iss') {
      return tokenError('unauthorized', 'issuer', `${what}: issuer must be ${expected.issuer}.`, error);
    }
    if (error.claim === 'aud') {
      return tokenError('unauthorized', 'audience', `${what}: audience must be ${expected.audience}.`, error);
    }
    if (error.claim === 'nbf' || error.claim === 'exp' || error.claim === 'iat') {
      return tokenError(
        'unauthorized',
        'lifetime',
        `${what}: the token is not valid now (${error.reason}).`,
        error,
      );
    }
    return tokenError('unauthorized', 'well-formed', `${what}: claim ${error.claim} is invalid.`, error);
  }
  if (
    error instanceof jose.JWSSignatureVerificationFailed ||
    error instanceof jose.JWKSNoMatchingKey ||
    error instanceof jose.JWKSMultipleMatchingKeys ||
    error instanceof jose.JOSEAlgNotAllowed
  ) {
    return tokenError(
      'unauthorized',
      'signature',
      `${what}: the signature does not verify with an RS256 key from the published keys.`,
      error,
    );
  }
  if (
    error instanceof jose.JWSInvalid ||
    error instanceof jose.JWTInvalid ||
    error instanceof jose.JOSENotSupported
  ) {
    return tokenError('unauthorized', 'well-formed', `${what}: the token is not a well-formed JWT.`, error);
  }
  if (error instanceof jose.JWKSTimeout || error instanceof TypeError) {
    return errors.unavailable(
      `${what}: the signing keys could not be fetched (${(error as Error).message}).`,
    );
  }
  if (error instanceof jose.JOSEError) {
    // jose's "Expected 200 OK from the JSON Web Key Set HTTP response": no keys for this token.
    return tokenError(
      'unauthorized',
      'signature',
      `${what}: no signing keys for this token (${error.message}).`,
      error,
    );
  }
  return errors.internal(`${what}: unexpected validation failure`, error);
}
