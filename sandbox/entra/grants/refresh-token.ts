import { authenticateClient } from '../clients.ts';
import { aadsts } from '../errors.ts';
import { delegatedGrant, parseScopes } from '../scopes.ts';
import { findGrant } from '../state.ts';
import { delegatedTokenResponse } from '../token-response.ts';
import { activeUser, type GrantHandler, requireParam, wantsClientInfo } from './token-call.ts';

/**
 * `grant_type=refresh_token`: a new access token (for the same or another consented resource) and a
 * new refresh token; the presented one is spent.
 */
export const refreshTokenGrant: GrantHandler = async (call) => {
  const refreshToken = requireParam(call, 'refresh_token');
  const found = findGrant(call.ctx.store.state.tenants, 'refreshTokens', refreshToken);
  if (!found) throw aadsts.malformedGrant();
  const { tenant, record } = found;
  if (call.segment.kind === 'tenant' && call.segment.tenant.id !== tenant.id) throw aadsts.malformedGrant();
  const client = authenticateClient(tenant, call.credentials);
  if (record.clientId !== client.clientId) throw aadsts.grantOtherClient();
  if (record.usedAt !== null || Date.now() >= record.expiresAt) throw aadsts.expiredGrant();
  const user = activeUser(tenant, record.userId);

  const scope = call.params.scope || record.scope;
  const parsed = parseScopes(tenant, scope);
  // A refresh token stays a refresh token: offline_access carries over from the original grant.
  if (!parsed.oidc.includes('offline_access')) parsed.oidc.push('offline_access');
  const grant = delegatedGrant(client, parsed);

  record.usedAt = Date.now();
  call.ctx.store.changed();
  return delegatedTokenResponse(call.ctx, {
    tenant,
    client,
    user,
    parsed,
    grant,
    scope: /\boffline_access\b/i.test(scope) ? scope : `${scope} offline_access`,
    authTime: record.authTime,
    clientInfo: wantsClientInfo(call),
  });
};
