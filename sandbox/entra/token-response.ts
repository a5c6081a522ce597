import { createHash, randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context.ts';
import type { AppRegistration, DirectoryUser, TenantState } from '../state/types.ts';
import { issueAccessToken, issuerFor } from './access-tokens.ts';
import type { DelegatedGrant, ParsedScopes } from './scopes.ts';
import { entraState, grantHash, newOpaqueGrant, pruneGrants, REFRESH_TOKEN_LIFETIME_MS } from './state.ts';

const ID_TOKEN_LIFETIME_SECONDS = 3600;

/** A token endpoint success body, as Entra's v2 endpoint answers. */
export type TokenResponse = Record<string, string | number>;

/** The pairwise `sub` of id tokens: stable per user and app, different across apps. */
function pairwiseSubject(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId}|${clientId}`).digest('base64url').slice(0, 43);
}

/** Mints a v2 id token for `user`, addressed to `client` (nonce echoed from the authorize request). */
export async function issueIdToken(
  ctx: SandboxContext,
  options: {
    tenant: TenantState;
    clientId: string;
    user: DirectoryUser;
    nonce?: string | null;
    authTime?: number;
    includeEmail?: boolean;
  },
): Promise<string> {
  const { tenant, user } = options;
  return ctx.signers.entra.sign(
    {
      aud: options.clientId,
      iss: issuerFor(ctx, tenant.id),
      sub: pairwiseSubject(user.id, options.clientId),
      oid: user.id,
      tid: tenant.id,
      name: user.displayName,
      preferred_username: user.userPrincipalName,
      ...(options.includeEmail && user.mail ? { email: user.mail } : {}),
      ...(options.nonce ? { nonce: options.nonce } : {}),
      ...(options.authTime ? { auth_time: options.authTime } : {}),
      ver: '2.0',
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
    },
    { expiresInSeconds: ID_TOKEN_LIFETIME_SECONDS },
  );
}

/** `client_info` (MSAL asks with `client_info=1`): the home account, `{uid, utid}` base64url. */
export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');
}

/**
 * The response to a delegated grant: access token for the resource, an id token when `openid` was
 * asked for, a new refresh token (persisted) when `offline_access` was.
 */
export async function delegatedTokenResponse(
  ctx: SandboxContext,
  options: {
    tenant: TenantState;
    client: AppRegistration;
    user: DirectoryUser;
    parsed: ParsedScopes;
    grant: DelegatedGrant;
    /** The scope string a refresh token will replay when a refresh names none. */
    scope: string;
    authTime: number;
    nonce?: string | null;
    clientInfo?: boolean;
  },
): Promise<TokenResponse> {
  const { tenant, client, user, parsed, grant } = options;
  const access = await issueAccessToken(ctx, {
    tenant,
    clientId: client.clientId,
    audience: grant.resource.audience,
    scopes: grant.scopes,
    userId: user.id,
  });
  const body: TokenResponse = {
    token_type: 'Bearer',
    scope: grant.responseScope,
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.token,
  };
  if (parsed.oidc.includes('offline_access')) {
    const refreshToken = newOpaqueGrant();
    const now = Date.now();
    const state = entraState(tenant);
    pruneGrants(state, now);
    state.refreshTokens.push({
      tokenHash: grantHash(refreshToken),
      clientId: client.clientId,
      userId: user.id,
      scope: options.scope,
      authTime: options.authTime,
      issuedAt: now,
      expiresAt: now + REFRESH_TOKEN_LIFETIME_MS,
      usedAt: null,
    });
    ctx.store.changed();
    body.refresh_token = refreshToken;
  }
  if (parsed.oidc.includes('openid')) {
    body.id_token = await issueIdToken(ctx, {
      tenant,
      clientId: client.clientId,
      user,
      nonce: options.nonce ?? null,
      authTime: options.authTime,
      includeEmail: parsed.oidc.includes('email'),
    });
  }
  if (options.clientInfo) body.client_info = clientInfo(user.id, tenant.id);
  return body;
}
