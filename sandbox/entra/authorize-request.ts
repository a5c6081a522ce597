import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { AppRegistration, DirectoryUser, TenantState } from '../state/types.ts';
import { aadsts, correlationIdOf, EntraError } from './errors.ts';
import { delegatedGrant, parseScopes } from './scopes.ts';
import { startSession } from './sessions.ts';
import {
  errorPageHtml,
  formPostHtml,
  newNonce,
  type SignInChoice,
  sendPage,
  signInPageHtml,
} from './sign-in-page.ts';
import { CODE_LIFETIME_MS, entraState, grantHash, newOpaqueGrant, pruneGrants } from './state.ts';
import { resolveTenantSegment, type TenantSegment } from './tenants.ts';

/** The OAuth parameters of an authorize request that the sign-in form carries along. */
const CARRIED = [
  'client_id',
  'response_type',
  'redirect_uri',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'login_hint',
  'domain_hint',
] as const;

type ResponseMode = 'query' | 'fragment' | 'form_post';

/** Where and how results (codes or errors) go back to the client. */
interface ReplyTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
}

/** A validated authorize request. */
export interface AuthorizeRequest extends ReplyTarget {
  segment: TenantSegment;
  /** Tenants whose users may sign in: the path's tenant, or every tenant the app is registered in. */
  tenants: TenantState[];
  client: AppRegistration;
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  prompt: string | null;
  loginHint: string | null;
  fields: Record<string, string>;
}

/** A failure shown on Entra's own error page: the redirect URI is not (yet) trusted. */
export class AuthorizePageError extends Error {
  readonly error: EntraError;
  constructor(error: EntraError) {
    super(error.message);
    this.error = error;
  }
}

/** A failure sent back to the (verified) redirect URI as `error` and `error_description`. */
export class AuthorizeRedirectError extends Error {
  readonly error: EntraError;
  readonly target: ReplyTarget;
  constructor(error: EntraError, target: ReplyTarget) {
    super(error.message);
    this.error = error;
    this.target = target;
  }
}

function text(params: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = params[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Checks an authorize request in Entra's order: tenant, client, redirect URI (errors on a page), then
 * response type and mode, scope and PKCE parameters (errors to the redirect URI).
 * @throws AuthorizePageError | AuthorizeRedirectError
 */
export function validateAuthorizeRequest(
  ctx: SandboxContext,
  tenantSegment: string,
  params: Readonly<Record<string, unknown>>,
): AuthorizeRequest {
  let segment: TenantSegment;
  try {
    segment = resolveTenantSegment(ctx, tenantSegment);
  } catch (error) {
    if (error instanceof EntraError) throw new AuthorizePageError(error);
    throw error;
  }
  const clientId = text(params, 'client_id');
  if (!clientId) throw new AuthorizePageError(aadsts.missingParameter('client_id'));
  const candidates = segment.kind === 'tenant' ? [segment.tenant] : ctx.store.state.tenants;
  const tenants = candidates.filter((t) =>
    t.directory.apps.some((a) => a.clientId.toLowerCase() === clientId.toLowerCase()),
  );
  const client = tenants[0]?.directory.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
  if (!client) {
    throw new AuthorizePageError(
      aadsts.appNotFound(clientId, segment.kind === 'tenant' ? segment.tenant.domain : segment.alias),
    );
  }
  const redirectUri = text(params, 'redirect_uri');
  if (!redirectUri) {
    throw new AuthorizePageError(
      new EntraError(400, 'invalid_request', 900971, 'No reply address provided.'),
    );
  }
  if (!client.redirectUris.includes(redirectUri)) {
    throw new AuthorizePageError(
      new EntraError(
        400,
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
      ),
    );
  }

  const state = text(params, 'state');
  const modeParam = text(params, 'response_mode');
  const target: ReplyTarget = { redirectUri, responseMode: 'query', state };
  if (modeParam && modeParam !== 'query' && modeParam !== 'fragment' && modeParam !== 'form_post') {
    throw new AuthorizeRedirectError(
      new EntraError(400, 'invalid_request', 70007, `The response_mode '${modeParam}' is not supported.`),
      target,
    );
  }
  if (modeParam) target.responseMode = modeParam as ResponseMode;
  const fail = (error: EntraError) => new AuthorizeRedirectError(error, target);

  const responseType = text(params, 'response_type');
  if (!responseType) throw fail(aadsts.missingParameter('response_type'));
  if (responseType !== 'code') {
    throw fail(
      new EntraError(
        400,
        'unsupported_response_type',
        700054,
        `response_type '${responseType}' is not enabled for the application: the sandbox issues authorization codes only.`,
      ),
    );
  }
  const scope = text(params, 'scope');
  if (!scope) throw fail(aadsts.missingParameter('scope'));
  try {
    parseScopes(tenants[0] as TenantState, scope);
  } catch (error) {
    if (error instanceof EntraError) throw fail(error);
    throw error;
  }

  const codeChallenge = text(params, 'code_challenge');
  const methodParam = text(params, 'code_challenge_method');
  let codeChallengeMethod: 'S256' | 'plain' | null = null;
  if (codeChallenge) {
    if (codeChallenge.length < 43 || codeChallenge.length > 128) {
      throw fail(new EntraError(400, 'invalid_request', 501491, 'Invalid size of Code_Challenge parameter.'));
    }
    if (methodParam && methodParam !== 'S256' && methodParam !== 'plain') {
      throw fail(
        new EntraError(
          400,
          'invalid_request',
          90100,
          `The code_challenge_method '${methodParam}' is not supported.`,
        ),
      );
    }
    // Without a method, PKCE's default is plain.
    codeChallengeMethod = (methodParam as 'S256' | 'plain' | null) ?? 'plain';
  } else if (methodParam) {
    throw fail(aadsts.missingParameter('code_challenge'));
  }

  const fields: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = text(params, name);
    if (value !== null) fields[name] = value;
  }
  return {
    ...target,
    segment,
    tenants,
    client,
    scope,
    nonce: text(params, 'nonce'),
    codeChallenge,
    codeChallengeMethod,
    prompt: text(params, 'prompt'),
    loginHint: text(params, 'login_hint'),
    fields,
  };
}

/** Sends a result to the client's redirect URI: 302 with query or fragment, or an auto-posting form. */
export function replyToClient(
  reply: FastifyReply,
  target: ReplyTarget,
  values: Record<string, string>,
): FastifyReply {
  const result: Record<string, string> = {
    ...values,
    ...(target.state !== null ? { state: target.state } : {}),
  };
  if (target.responseMode === 'form_post') {
    const nonce = newNonce();
    return sendPage(reply, 200, 'Working…', formPostHtml(target.redirectUri, result), {
      nonce,
      formActions: [new URL(target.redirectUri).origin],
      script: "document.getElementById('result').submit();",
    });
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') {
    url.hash = new URLSearchParams(result).toString();
  } else {
    for (const [name, value] of Object.entries(result)) url.searchParams.set(name, value);
  }
  return reply.header('cache-control', 'no-store, no-cache').redirect(url.toString(), 302);
}

/** Sends an authorize error to the redirect URI (`consent_required` for a missing consent, as OIDC names it). */
export function replyError(reply: FastifyReply, error: AuthorizeRedirectError): FastifyReply {
  const oauthError = error.error.code === 65001 ? 'consent_required' : error.error.error;
  return replyToClient(reply, error.target, {
    error: oauthError,
    error_description: error.error.message,
  });
}

/** Renders Entra's error page for a request whose redirect URI cannot be trusted. */
export function replyErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AuthorizePageError,
): FastifyReply {
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return sendPage(
    reply,
    400,
    'Sign in to your account',
    errorPageHtml({ message: error.error.message, correlationId: correlationIdOf(request), timestamp }),
  );
}

/** The accounts the sign-in page offers: every enabled user of the request's tenants. */
export function signInChoices(req: AuthorizeRequest): SignInChoice[] {
  return req.tenants.flatMap((tenant) =>
    tenant.directory.users
      .filter((u) => u.accountEnabled)
      .map((user) => ({ user, tenantDomain: req.tenants.length > 1 ? tenant.domain : null })),
  );
}

/** The sign-in page for a request (status 400 with a message when a choice was refused). */
export function replySignInPage(
  reply: FastifyReply,
  tenantSegment: string,
  req: AuthorizeRequest,
  error: string | null = null,
): FastifyReply {
  const tenantName =
    req.segment.kind === 'tenant'
      ? req.segment.tenant.displayName
      : req.tenants.map((t) => t.displayName).join(', ');
  const redirectOrigin = new URL(req.redirectUri).origin;
  return sendPage(
    reply,
    error ? 400 : 200,
    'Sign in to your account',
    signInPageHtml({
      tenantName,
      appName: req.client.displayName,
      choices: signInChoices(req),
      fields: req.fields,
      action: `/${encodeURIComponent(tenantSegment)}/oauth2/v2.0/authorize`,
      loginHint: req.loginHint,
      error,
    }),
    // The form posts here, then 302s to the app: CSP form-action covers the redirect's origin too.
    { nonce: newNonce(), formActions: [redirectOrigin] },
  );
}

/**
 * Signs `user` in for the request: checks the client's consent for the scopes, stores a ten-minute
 * code bound to client, redirect URI, PKCE challenge and nonce, starts the session, and redirects.
 * @throws AuthorizeRedirectError when the scope is not consented or not exposed.
 */
export async function completeSignIn(
  ctx: SandboxContext,
  reply: FastifyReply,
  req: AuthorizeRequest,
  tenant: TenantState,
  user: DirectoryUser,
  authTime: number,
): Promise<FastifyReply> {
  const client = tenant.directory.apps.find((a) => a.clientId === req.client.clientId) ?? req.client;
  try {
    delegatedGrant(client, parseScopes(tenant, req.scope));
  } catch (error) {
    if (error instanceof EntraError) throw new AuthorizeRedirectError(error, req);
    throw error;
  }
  const code = newOpaqueGrant();
  const now = Date.now();
  const state = entraState(tenant);
  pruneGrants(state, now);
  state.codes.push({
    codeHash: grantHash(code),
    clientId: client.clientId,
    redirectUri: req.redirectUri,
    userId: user.id,
    scope: req.scope,
    nonce: req.nonce,
    codeChallenge: req.codeChallenge,
    codeChallengeMethod: req.codeChallengeMethod,
    authTime,
    issuedAt: now,
    expiresAt: now + CODE_LIFETIME_MS,
    redeemedAt: null,
  });
  ctx.store.changed();
  await startSession(ctx, reply, { tenantId: tenant.id, userId: user.id, authTime });
  return replyToClient(reply, req, { code, session_state: randomUUID() });
}
