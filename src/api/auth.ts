import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors/index.ts';
import { API_TOKEN_PREFIX } from '../identity/index.ts';
import type { ApiDeps } from './api-types.ts';
import { type ApiScope, type Caller, userCaller } from './caller.ts';

/**
 * Authenticates every /api/v1 request whose route is not public, then checks the route's access.
 * `Bearer trl_…` is an API token; any other bearer is an Entra access token (users).
 */
export function installAuth(api: FastifyInstance, deps: ApiDeps): void {
  api.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const caller = await authenticate(request, deps);
    request.caller = caller;
    if (access !== 'authenticated' && !caller.scopes.has(access)) {
      throw errors.forbidden(`This operation needs the ${access} permission`);
    }
  });
}

async function authenticate(request: FastifyRequest, deps: ApiDeps): Promise<Caller> {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer\s+\S+$/i.test(header)) {
    throw errors.unauthorized('Send an API token or an Entra access token as `Authorization: Bearer …`');
  }
  const credential = header.replace(/^Bearer\s+/i, '');
  if (credential.startsWith(API_TOKEN_PREFIX)) {
    const token = await deps.domain.tokens.authenticate(credential);
    return {
      tenantId: token.tenantId,
      kind: 'api_token',
      id: token.tokenId,
      displayName: null,
      roles: [],
      scopes: new Set(token.scopes as ApiScope[]),
    };
  }
  // <identity: Entra access tokens>
  return userCaller(await deps.domain.identity.authenticateUser(header));
}
