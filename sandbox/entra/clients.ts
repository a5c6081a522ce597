import { timingSafeEqual } from 'node:crypto';
import type { AppRegistration, TenantState } from '../state/types.ts';
import { aadsts, EntraError } from './errors.ts';

/** The client credentials of a token request: form fields, or HTTP Basic (client_secret_basic). */
export interface ClientCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientAssertion: string | undefined;
}

/** Reads client_id/client_secret from the form or an `Authorization: Basic` header (RFC 6749 §2.3.1). */
export function clientCredentialsOf(
  params: Readonly<Record<string, string | undefined>>,
  authorization: string | undefined,
): ClientCredentials {
  let clientId = params.client_id || undefined;
  let clientSecret = params.client_secret || undefined;
  const basic = authorization ? /^Basic\s+(\S+)$/i.exec(authorization) : null;
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      clientId ??= decodeURIComponent(decoded.slice(0, colon));
      clientSecret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return { clientId, clientSecret, clientAssertion: params.client_assertion || undefined };
}

function secretMatches(app: AppRegistration, given: string): boolean {
  const candidate = Buffer.from(given);
  return app.secrets.some((secret) => {
    const expected = Buffer.from(secret);
    return expected.length === candidate.length && timingSafeEqual(expected, candidate);
  });
}

/**
 * Authenticates the client of a token request in `tenant`: a registered app, its secret (confidential
 * clients) or none (public clients).
 * @throws EntraError AADSTS900144 (no client_id), AADSTS700016 (unknown app), AADSTS7000218 (no
 *   secret), AADSTS7000215 (wrong secret), AADSTS700025 (a public client sent one).
 */
export function authenticateClient(tenant: TenantState, credentials: ClientCredentials): AppRegistration {
  const clientId = credentials.clientId;
  if (!clientId) throw aadsts.missingParameter('client_id');
  const app = tenant.directory.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
  if (!app) throw aadsts.appNotFound(clientId, tenant.domain);
  if (app.publicClient) {
    if (credentials.clientSecret || credentials.clientAssertion) throw aadsts.publicClientWithSecret();
    return app;
  }
  if (credentials.clientAssertion) {
    // Certificate credentials are not registered on any sandbox app.
    throw new EntraError(
      401,
      'invalid_client',
      700027,
      'Client assertion failed signature validation. No certificate credential is registered for this application.',
    );
  }
  if (!credentials.clientSecret) throw aadsts.missingSecret();
  if (!secretMatches(app, credentials.clientSecret)) throw aadsts.badSecret(app.clientId);
  return app;
}
