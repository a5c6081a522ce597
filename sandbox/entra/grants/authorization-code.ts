import { createHash, timingSafeEqual } from 'node:crypto';
import { authenticateClient } from '../clients.ts';
import { aadsts } from '../errors.ts';
import { delegatedGrant, parseScopes } from '../scopes.ts';
import { findGrant } from '../state.ts';
import { delegatedTokenResponse } from '../token-response.ts';
import { activeUser, type GrantHandler, requireParam, wantsClientInfo } from './token-call.ts';

function verifierMatches(challenge: string, method: 'S256' | 'plain', verifier: string): boolean {
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(derived);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `grant_type=authorization_code`: redeems a code from the sign-in page, once, within ten minutes,
 * by the client and redirect URI it was issued to, with the PKCE verifier of its challenge.
 */
export const authorizationCodeGrant: GrantHandler = async (call) => {
  const code = requireParam(call, 'code');
  const redirectUri = requireParam(call, 'redirect_uri');
  const found = findGrant(call.ctx.store.state.tenants, 'codes', code);
  if (!found) throw aadsts.malformedGrant();
  const { tenant, record } = found;
  if (call.segment.kind === 'tenant' && call.segment.tenant.id !== tenant.id) throw aadsts.grantOtherTenant();
  const client = authenticateClient(tenant, call.credentials);
  if (record.clientId !== client.clientId) throw aadsts.grantOtherClient();
  if (record.redeemedAt !== null) throw aadsts.codeRedeemed();
  if (Date.now() >= record.expiresAt) throw aadsts.expiredGrant();
  if (record.redirectUri !== redirectUri) throw aadsts.replyMismatch(redirectUri, record.redirectUri);
  if (record.codeChallenge && record.codeChallengeMethod) {
    const verifier = requireParam(call, 'code_verifier');
    if (!verifierMatches(record.codeChallenge, record.codeChallengeMethod, verifier))
      throw aadsts.verifierMismatch();
  }
  const user = activeUser(tenant, record.userId);
  // The token request may narrow or move the scope; the id token and refresh token follow the code's.
  const scope = call.params.scope || record.scope;
  const parsed = parseScopes(tenant, scope);
  const fromCode = parseScopes(tenant, record.scope);
  for (const s of fromCode.oidc) if (!parsed.oidc.includes(s)) parsed.oidc.push(s);
  const grant = delegatedGrant(client, parsed);

  record.redeemedAt = Date.now();
  call.ctx.store.changed();
  return delegatedTokenResponse(call.ctx, {
    tenant,
    client,
    user,
    parsed,
    grant,
    scope,
    authTime: record.authTime,
    nonce: record.nonce,
    clientInfo: wantsClientInfo(call),
  });
};
