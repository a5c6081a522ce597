import { issueAccessToken } from '../access-tokens.ts';
import { authenticateClient } from '../clients.ts';
import { aadsts } from '../errors.ts';
import { applicationGrant } from '../scopes.ts';
import { type GrantHandler, requireParam } from './token-call.ts';

/**
 * `grant_type=client_credentials`: an app-only token for `{resource}/.default`, carrying the Graph
 * application permissions an admin granted (`roles`).
 */
export const clientCredentialsGrant: GrantHandler = async (call) => {
  if (call.segment.kind === 'alias') throw aadsts.grantNotOnCommon();
  const tenant = call.segment.tenant;
  const client = authenticateClient(tenant, call.credentials);
  if (client.publicClient) throw aadsts.missingSecret();
  const grant = applicationGrant(client, tenant, requireParam(call, 'scope'));
  const access = await issueAccessToken(call.ctx, {
    tenant,
    clientId: client.clientId,
    audience: grant.resource.audience,
    roles: grant.roles,
  });
  return {
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.token,
  };
};
