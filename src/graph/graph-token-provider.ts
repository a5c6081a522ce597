import {
  AuthError,
  ClientAuthErrorCodes,
  ConfidentialClientApplication,
  ServerError,
} from '@azure/msal-node';
import type { M365Config } from '../config.ts';
import type { MsalNetworkClient } from '../identity/index.ts';
import { GraphError } from './graph-error.ts';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** How long on-behalf-of tokens stay in MSAL's cache at most (they live about an hour). */
const USER_TOKEN_CACHE_MS = 15 * 60_000;

/** App-only Graph access tokens, one MSAL confidential client per Entra tenant. */
export interface GraphTokenProvider {
  /** @throws GraphError (401 token refused, 0 authority unreachable or Microsoft 365 not configured). */
  getToken(entraTenantId: string, scope?: string): Promise<string>;
  /**
   * A delegated token for the signed-in user whose access token for Trellis's API is `assertion`
   * (on-behalf-of), with exactly `scopes`; MSAL caches it per assertion until shortly before expiry.
   * @throws GraphError (403 ConsentRequired when the tenant has not consented to a scope, 401 when
   * the assertion is refused, 0 authority unreachable).
   */
  getTokenOnBehalfOf?(entraTenantId: string, assertion: string, scopes: readonly string[]): Promise<string>;
}

/** Entra's AADSTS65001: no one consented to the delegated permission in this tenant. */
function isConsentRequired(cause: unknown): boolean {
  return (
    cause instanceof AuthError &&
    (cause.subError === 'consent_required' || /\bAADSTS65001\b/.test(cause.errorMessage))
  );
}

function tokenFailure(tenant: string, cause: unknown): GraphError {
  if (cause instanceof ServerError) {
    // Entra answered (no consent AADSTS65001, bad secret 7000215 …): retrying will not help.
    const status = cause.status && cause.status >= 500 ? cause.status : 401;
    return new GraphError({
      status,
      code: cause.errorCode || 'invalid_client',
      message: `no token for tenant ${tenant}: ${cause.errorMessage}`,
      requestId: cause.correlationId || null,
      cause,
    });
  }
  if (cause instanceof AuthError) {
    const network = cause.errorCode === ClientAuthErrorCodes.networkError;
    return new GraphError({
      status: network ? 0 : 401,
      code: cause.errorCode || 'token_error',
      message: `no token for tenant ${tenant}: ${cause.errorMessage || cause.message}`,
      requestId: cause.correlationId || null,
      cause,
    });
  }
  return new GraphError({
    status: 0,
    code: 'TokenAcquisitionFailed',
    message: `no token for tenant ${tenant}: ${(cause as Error).message}`,
    cause,
  });
}

/**
 * Client-credentials tokens through MSAL (which caches them until shortly before expiry), over
 * Trellis's network client so a private CA (the sandbox's) is trusted without turning checks off.
 * The authority host is a known authority, so MSAL never runs instance discovery against the
 * public cloud: the sandbox and sovereign clouds work offline with the same code.
 */
export function createGraphTokenProvider(options: {
  m365: M365Config;
  network: MsalNetworkClient;
}): GraphTokenProvider {
  const { m365, network } = options;
  const clients = new Map<string, ConfidentialClientApplication>();
  // On-behalf-of tokens have clients of their own: MSAL caches one token per user assertion and never
  // drops expired ones, so this cache is emptied now and then (the app-only tokens stay cached).
  const userClients = new Map<string, ConfidentialClientApplication>();
  let userCacheClearedAt = Date.now();
  const authorityHost = m365.authorityHost.replace(/\/+$/, '');

  const clientFor = (
    tenant: string,
    pool: Map<string, ConfidentialClientApplication> = clients,
  ): ConfidentialClientApplication => {
    let client = pool.get(tenant);
    if (!client) {
      if (!m365.clientId || !m365.clientSecret) {
        throw new GraphError({
          status: 0,
          code: 'NotConfigured',
          message: 'Microsoft 365 is not configured (M365_TENANT_ID, M365_CLIENT_ID, M365_CLIENT_SECRET)',
        });
      }
      client = new ConfidentialClientApplication({
        auth: {
          clientId: m365.clientId,
          clientSecret: m365.clientSecret,
          authority: `${authorityHost}/${tenant}`,
          knownAuthorities: [new URL(authorityHost).host],
        },
        system: { networkClient: network },
      });
      pool.set(tenant, client);
    }
    return client;
  };

  const tenantOf = (entraTenantId: string): string => {
    const tenant = entraTenantId.toLowerCase();
    if (!/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(tenant)) {
      throw new GraphError({
        status: 400,
        code: 'InvalidTenant',
        message: 'the Entra tenant id is not a GUID',
      });
    }
    return tenant;
  };

  return {
    async getTokenOnBehalfOf(entraTenantId, assertion, scopes) {
      const tenant = tenantOf(entraTenantId);
      if (Date.now() - userCacheClearedAt > USER_TOKEN_CACHE_MS) {
        for (const userClient of userClients.values()) userClient.clearCache();
        userCacheClearedAt = Date.now();
      }
      const client = clientFor(tenant, userClients);
      let result;
      try {
        result = await client.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: [...scopes] });
      } catch (cause) {
        if (isConsentRequired(cause)) {
          throw new GraphError({
            status: 403,
            code: 'ConsentRequired',
            message: `tenant ${tenant} has not consented to ${scopes.join(', ')} for Trellis`,
            requestId: (cause as AuthError).correlationId || null,
            cause,
          });
        }
        throw tokenFailure(tenant, cause);
      }
      if (!result?.accessToken) {
        throw new GraphError({ status: 401, code: 'NoToken', message: `no user token for tenant ${tenant}` });
      }
      return result.accessToken;
    },

    async getToken(entraTenantId, scope = GRAPH_SCOPE) {
      const tenant = tenantOf(entraTenantId);
      const client = clientFor(tenant);
      let result;
      try {
        result = await client.acquireTokenByClientCredential({ scopes: [scope] });
      } catch (cause) {
        throw tokenFailure(tenant, cause);
      }
      if (!result?.accessToken) {
        throw new GraphError({ status: 401, code: 'NoToken', message: `no token for tenant ${tenant}` });
      }
      return result.accessToken;
    },
  };
}
