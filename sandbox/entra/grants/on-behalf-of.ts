import { decodeJwt, errors as joseErrors } from 'jose';
import { issuerFor } from '../access-tokens.ts';
import { authenticateClient } from '../clients.ts';
import { aadsts } from '../errors.ts';
import { delegatedGrant, parseScopes } from '../scopes.ts';
import { delegatedTokenResponse } from '../token-response.ts';
import { activeUser, type GrantHandler, requireParam, wantsClientInfo } from './token-call.ts';

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `requested_token_use=on_behalf_of`:
 * the assertion (a user's token for this API, issued here for this tenant) becomes a delegated token
 * for another resource, for the same user.
 */
export const onBehalfOfGrant: GrantHandler = async (call) => {
  const assertion = requireParam(call, 'assertion');
  if (call.params.requested_token_use !== 'on_behalf_of')
    throw aadsts.missingParameter('requested_token_use');
  const scope = requireParam(call, 'scope');

  let tenantId: unknown;
  try {
    tenantId = decodeJwt(assertion).tid;
  } catch {
    throw aadsts.assertionInvalid('the assertion is not a well-formed JWT');
  }
  // `/common` and `/organizations` take the tenant from the assertion; a tenant path must match it.
  const tenant =
    call.segment.kind === 'tenant'
      ? call.segment.tenant
      : typeof tenantId === 'string'
        ? call.ctx.store.tenant(tenantId)
        : undefined;
  if (!tenant) throw aadsts.assertionInvalid('the assertion names no known tenant');
  const client = authenticateClient(tenant, call.credentials);

  let claims: Record<string, unknown>;
  try {
    claims = await call.ctx.signers.entra.verify(assertion, {});
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw aadsts.assertionExpired();
    throw aadsts.assertionInvalid((error as Error).message);
  }
  if (claims.tid !== tenant.id || claims.iss !== issuerFor(call.ctx, tenant.id)) {
    throw aadsts.assertionInvalid(`the assertion was not issued by tenant ${tenant.id}`);
  }
  const audience = typeof claims.aud === 'string' ? claims.aud : '';
  const ownAudiences = [client.clientId, ...client.identifierUris].map((a) => a.toLowerCase());
  if (!ownAudiences.includes(audience.toLowerCase()))
    throw aadsts.assertionAudience(audience, client.clientId);
  if (typeof claims.scp !== 'string' || !claims.scp || typeof claims.oid !== 'string') {
    throw aadsts.assertionNotDelegated();
  }
  const user = activeUser(tenant, claims.oid);

  const parsed = parseScopes(tenant, scope);
  const grant = delegatedGrant(client, parsed);
  return delegatedTokenResponse(call.ctx, {
    tenant,
    client,
    user,
    parsed,
    grant,
    scope,
    authTime: typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000),
    clientInfo: wantsClientInfo(call),
  });
};
