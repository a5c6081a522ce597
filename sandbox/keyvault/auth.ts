import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { SandboxContext } from '../context.ts';
import { AccessTokenError, RESOURCES, type VerifiedCaller, verifyBearer } from '../entra/access-tokens.ts';
import { KeyVaultError, vaultErrors } from './errors.ts';

/** API versions of the Key Vault data plane the sandbox answers (the SDK sends its latest). */
const API_VERSION = /^(7\.[0-6](-preview(\.\d+)?)?|20\d\d-\d\d-\d\d(-preview)?)$/;

/**
 * The vault's tenant, named in the 401 challenge: the tenant of the presented (invalid) token when it
 * names one, else the first tenant (Contoso). A vault belongs to one tenant in Azure; the sandbox has
 * one origin for all, so a token's tenant picks whose vault state it works on.
 */
function challengeTenant(ctx: SandboxContext, request: FastifyRequest): string {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (token) {
    try {
      const tid = decodeJwt(token).tid;
      if (typeof tid === 'string' && ctx.store.tenant(tid)) return tid;
    } catch {
      // Not a JWT: the default tenant is named.
    }
  }
  return ctx.store.state.tenants[0]?.id ?? 'common';
}

function unauthorized(ctx: SandboxContext, request: FastifyRequest, message: string): KeyVaultError {
  return new KeyVaultError(401, 'Unauthorized', message, {
    headers: {
      'WWW-Authenticate': `Bearer authorization="${ctx.config.origin}/${challengeTenant(ctx, request)}", resource="${RESOURCES.keyVault.uri}"`,
    },
  });
}

/**
 * Authenticates every vault request as Key Vault does: no token → 401 with the challenge that
 * `@azure/keyvault-keys` follows (authority and resource); a token must be an Entra token for
 * `https://vault.azure.net`. Then the `api-version` query parameter is required.
 */
export function authenticateVault(
  app: FastifyInstance,
  ctx: SandboxContext,
): (request: FastifyRequest) => VerifiedCaller {
  const callers = new WeakMap<FastifyRequest, VerifiedCaller>();
  app.addHook('onRequest', async (request) => {
    if (!request.headers.authorization) {
      throw unauthorized(ctx, request, 'AKV10000: Request is missing a Bearer or PoP token.');
    }
    try {
      callers.set(request, await verifyBearer(ctx, request, [RESOURCES.keyVault.uri]));
    } catch (error) {
      if (error instanceof AccessTokenError) throw unauthorized(ctx, request, `AKV10032: ${error.message}`);
      throw error;
    }
    const apiVersion = (request.query as Record<string, unknown>)['api-version'];
    if (typeof apiVersion !== 'string' || !apiVersion) {
      throw vaultErrors.badParameter('The api-version query parameter is missing.');
    }
    if (!API_VERSION.test(apiVersion)) {
      throw vaultErrors.badParameter(
        `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`,
      );
    }
  });
  return (request) => {
    const caller = callers.get(request);
    if (!caller) throw unauthorized(ctx, request, 'AKV10000: Request is missing a Bearer or PoP token.');
    return caller;
  };
}
