import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** An OAuth error as Entra's token endpoint answers it: `{error, error_description: "AADSTS…", error_codes …}`. */
export class EntraError extends Error {
  readonly status: number;
  /** OAuth `error` (invalid_client, invalid_grant …). */
  readonly error: string;
  /** AADSTS number. */
  readonly code: number;
  readonly suberror: string | undefined;
  constructor(status: number, error: string, code: number, message: string, suberror?: string) {
    super(`AADSTS${code}: ${message}`);
    this.status = status;
    this.error = error;
    this.code = code;
    this.suberror = suberror;
  }
}

/** Entra's timestamp format in errors: `2026-11-23 10:00:00Z`. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Correlation id: the client's `client-request-id` (MSAL sends one) or a fresh one. */
export function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['client-request-id'];
  return typeof header === 'string' && /^[0-9a-f-]{36}$/i.test(header) ? header : randomUUID();
}

/** The JSON body Entra sends with an OAuth error. */
export function entraErrorBody(
  ctx: SandboxContext,
  error: EntraError,
  correlationId: string,
): Record<string, unknown> {
  const traceId = randomUUID();
  const timestamp = entraTimestamp(new Date());
  return {
    error: error.error,
    error_description: `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [error.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${ctx.config.origin}/error?code=${error.code}`,
    ...(error.suberror ? { suberror: error.suberror } : {}),
  };
}

/** Sends an EntraError the way the token and metadata endpoints do (no caching, JSON). */
export function sendEntraError(
  ctx: SandboxContext,
  request: FastifyRequest,
  reply: FastifyReply,
  error: EntraError,
): FastifyReply {
  const correlationId = correlationIdOf(request);
  return reply
    .code(error.status)
    .header('cache-control', 'no-store, no-cache')
    .header('pragma', 'no-cache')
    .header('x-ms-request-id', randomUUID())
    .header('client-request-id', correlationId)
    .type('application/json; charset=utf-8')
    .send(entraErrorBody(ctx, error, correlationId));
}

/** The AADSTS errors the sandbox produces, worded as Entra words them. */
export const aadsts = {
  tenantNotFound: (tenant: string, oauthError = 'invalid_request') =>
    new EntraError(
      400,
      oauthError,
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  tenantInvalid: (tenant: string, oauthError = 'invalid_request') =>
    new EntraError(
      400,
      oauthError,
      900023,
      `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
    ),
  missingParameter: (name: string) =>
    new EntraError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  postOnly: (method: string) =>
    new EntraError(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
    ),
  unsupportedGrantType: (grantType: string) =>
    new EntraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    ),
  grantNotOnCommon: () =>
    new EntraError(
      400,
      'invalid_request',
      9001023,
      'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
    ),
  appNotFound: (clientId: string, tenantName: string) =>
    new EntraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  badSecret: (clientId: string) =>
    new EntraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  missingSecret: () =>
    new EntraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  publicClientWithSecret: () =>
    new EntraError(
      401,
      'invalid_client',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    ),
  notConsented: (clientId: string, appName: string) =>
    new EntraError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    ),
  invalidScope: (scope: string) =>
    new EntraError(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' does not exist.`,
    ),
  clientCredentialsScope: (scope: string) =>
    new EntraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  multipleResources: () =>
    new EntraError(
      400,
      'invalid_scope',
      700022,
      'The provided value for the input parameter scope is not valid because it contains more than one resource.',
    ),
  resourceNotFound: (resource: string, tenantName: string) =>
    new EntraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  malformedGrant: () =>
    new EntraError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  expiredGrant: () =>
    new EntraError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  codeRedeemed: () =>
    new EntraError(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  grantOtherClient: () =>
    new EntraError(
      400,
      'invalid_grant',
      70000,
      'The provided value for the input parameter is not valid: the grant was issued to a different client.',
    ),
  grantOtherTenant: () =>
    new EntraError(
      400,
      'invalid_grant',
      700005,
      'Provided Authorization Code is intended to use against other tenant, thus rejected.',
    ),
  replyMismatch: (given: string, expected: string) =>
    new EntraError(
      400,
      'invalid_grant',
      50011,
      `The reply address '${given}' does not match the reply address '${expected}' provided when requesting Authorization code.`,
    ),
  verifierMismatch: () =>
    new EntraError(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  userDisabled: () =>
    new EntraError(
      400,
      'invalid_grant',
      50057,
      'The user account is disabled. The user object in Active Directory backing this account has been disabled.',
    ),
  assertionInvalid: (reason: string) =>
    new EntraError(
      400,
      'invalid_grant',
      50013,
      `Assertion failed signature validation. [Reason - ${reason}]`,
    ),
  assertionExpired: () =>
    new EntraError(
      400,
      'invalid_grant',
      500133,
      'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.',
    ),
  assertionAudience: (aud: string, clientId: string) =>
    new EntraError(
      400,
      'invalid_grant',
      50013,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${aud}' and the expected audience is '${clientId}' or one of the Application Id URIs of this web API.`,
    ),
  assertionNotDelegated: () =>
    new EntraError(
      400,
      'invalid_grant',
      50013,
      'Assertion is invalid: an on-behalf-of assertion must be a delegated (user) access token.',
    ),
};
