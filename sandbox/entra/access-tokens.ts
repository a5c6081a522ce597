import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import type { SandboxContext } from '../context.ts';
import type { TenantState } from '../state/types.ts';

/** Well-known resources and the audiences their v2 access tokens carry. */
export const RESOURCES = {
  graph: { uri: 'https://graph.microsoft.com', appId: '00000003-0000-0000-c000-000000000000' },
  keyVault: { uri: 'https://vault.azure.net', appId: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' },
  botFramework: { uri: 'https://api.botframework.com', appId: 'https://api.botframework.com' },
} as const;

export interface AccessTokenRequest {
  tenant: TenantState;
  /** The client (azp/appid). */
  clientId: string;
  /** `aud` claim. */
  audience: string;
  /** Application permissions (client credentials) … */
  roles?: string[];
  /** … or delegated scopes, with the signed-in user. */
  scopes?: string[];
  userId?: string;
  expiresInSeconds?: number;
}

/** The issuer of v2 tokens for a tenant, as in Entra: `{authority}/{tid}/v2.0`. */
export function issuerFor(ctx: SandboxContext, tenantId: string): string {
  return `${ctx.config.origin}/${tenantId}/v2.0`;
}

/** Mints a v2 access token shaped like Entra's (tid, oid, scp or roles, azp, ver 2.0 …). */
export async function issueAccessToken(
  ctx: SandboxContext,
  req: AccessTokenRequest,
): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = req.expiresInSeconds ?? 3599;
  const user = req.userId ? req.tenant.directory.users.find((u) => u.id === req.userId) : undefined;
  if (req.userId && !user) throw new Error(`unknown user ${req.userId}`);
  const claims: JWTPayload & Record<string, unknown> = {
    aud: req.audience,
    iss: issuerFor(ctx, req.tenant.id),
    tid: req.tenant.id,
    azp: req.clientId,
    appid: req.clientId,
    azpacr: '1',
    ver: '2.0',
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
  };
  if (user) {
    Object.assign(claims, {
      sub: `${user.id}:${req.clientId}`,
      oid: user.id,
      name: user.displayName,
      preferred_username: user.userPrincipalName,
      scp: (req.scopes ?? []).join(' '),
    });
    const roles = assignedAppRoles(req.tenant, req.audience, user.id);
    if (roles.length > 0) claims.roles = roles;
  } else {
    // App-only tokens: oid and sub are the client's service principal.
    Object.assign(claims, { sub: req.clientId, oid: req.clientId, idtyp: 'app', roles: req.roles ?? [] });
  }
  const token = await ctx.signers.entra.sign(claims, { expiresInSeconds: expiresIn });
  return { token, expiresIn };
}

/**
 * The app roles of `userId` on the API whose client id is `audience`, as Entra puts them in user
 * tokens: assigned to the user, or to a group the user is a direct member of.
 */
export function assignedAppRoles(tenant: TenantState, audience: string, userId: string): string[] {
  const api = tenant.directory.apps.find((a) => a.clientId.toLowerCase() === audience.toLowerCase());
  const assignments = api?.appRoleAssignments ?? [];
  if (assignments.length === 0) return [];
  const groups = new Set(
    tenant.directory.groups.filter((g) => g.memberIds.includes(userId)).map((g) => g.id),
  );
  const roles = assignments
    .filter((a) => a.principalId === userId || groups.has(a.principalId))
    .map((a) => a.appRole);
  return [...new Set(roles)];
}

export interface VerifiedCaller {
  tenant: TenantState;
  claims: JWTPayload & { tid: string; azp?: string; oid?: string; scp?: string; roles?: string[] };
  /** Delegated (a user) or application-only. */
  kind: 'delegated' | 'application';
  userId: string | undefined;
  clientId: string;
  /** Delegated scopes or application roles. */
  permissions: string[];
}

export class AccessTokenError extends Error {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Verifies a Bearer token issued by the sandbox's Entra for one of `audiences`.
 * @throws AccessTokenError(401) on a missing, malformed, expired, foreign or mis-addressed token.
 */
export async function verifyBearer(
  ctx: SandboxContext,
  request: FastifyRequest,
  audiences: readonly string[],
): Promise<VerifiedCaller> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new AccessTokenError(401, 'Access token is empty.');
  let claims: VerifiedCaller['claims'];
  try {
    claims = (await ctx.signers.entra.verify(match[1], {
      audience: [...audiences],
    })) as VerifiedCaller['claims'];
  } catch (error) {
    throw new AccessTokenError(401, `Access token validation failure. ${(error as Error).message}`);
  }
  const tenant = typeof claims.tid === 'string' ? ctx.store.tenant(claims.tid) : undefined;
  if (!tenant || claims.iss !== issuerFor(ctx, tenant.id))
    throw new AccessTokenError(401, 'Invalid issuer or tenant.');
  const delegated = typeof claims.scp === 'string' && claims.scp.length > 0;
  return {
    tenant,
    claims,
    kind: delegated ? 'delegated' : 'application',
    userId: delegated ? claims.oid : undefined,
    clientId: claims.azp ?? '',
    permissions: delegated ? (claims.scp ?? '').split(' ').filter(Boolean) : (claims.roles ?? []),
  };
}
