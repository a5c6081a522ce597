import { decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import { createKeySource } from './jwks.ts';
import { bearerToken, fromJoseError, readUnverified, tokenError } from './token-errors.ts';

const CLOCK_SKEW_SECONDS = 300;
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EntraTokenValidatorOptions {
  /** `https://login.microsoftonline.com`, or the sandbox origin. */
  authority: string;
  /** Trellis's app id: the `aud` of v2 tokens. */
  clientId: string;
  /** `api://…/{clientId}`, accepted as an audience too (tokens requested for the App ID URI). */
  appIdUri?: string;
  /** Tenants whose users may call; any tenant when omitted (multi-tenant app). */
  allowedTenants?: readonly string[];
  /** Delegated scope every token must carry; null accepts any delegated or app-only token. */
  requiredScope?: string | null;
  /** PEM CA(s) trusted, besides the public roots, for the signing keys. */
  ca?: string | readonly string[];
  clockSkewSeconds?: number;
}

/** Who a valid Entra v2 access token is for. */
export interface EntraIdentity {
  tenantId: string;
  /** The user's object id (or the calling app's service principal for app-only tokens). */
  objectId: string;
  name: string | undefined;
  preferredUsername: string | undefined;
  /** Delegated scopes (`scp`). */
  scopes: string[];
  /** Application roles (`roles`). */
  roles: string[];
  claims: JWTPayload;
}

export interface EntraTokenValidator {
  /**
   * Verifies a v2 access token: Bearer scheme, allowed tenant, issuer `{authority}/{tid}/v2.0`,
   * audience (client id or App ID URI), lifetime with 5 min skew, RS256 signature, required scope.
   * @throws AppError Unauthorized (details.rule names the failed rule); Forbidden for a tenant
   *   outside `allowedTenants` or a missing scope; Unavailable when keys cannot be fetched.
   */
  validate(authorizationHeader: string | undefined): Promise<EntraIdentity>;
  close(): Promise<void>;
}

const WHAT = 'Entra access token';

/** Validates Entra ID v2 access tokens (tab SSO, API calls from Teams clients). */
export function createEntraTokenValidator(options: EntraTokenValidatorOptions): EntraTokenValidator {
  const authority = options.authority.replace(/\/+$/, '');
  const audiences = [options.clientId, ...(options.appIdUri ? [options.appIdUri] : [])];
  const allowed = options.allowedTenants?.map((t) => t.toLowerCase());
  const requiredScope = options.requiredScope === undefined ? 'access_as_user' : options.requiredScope;
  const keys = createKeySource({ ca: options.ca, maxKeySets: allowed ? allowed.length + 1 : 100 });

  return {
    async validate(authorizationHeader) {
      const token = bearerToken(authorizationHeader, WHAT);
      const tid: unknown = readUnverified(WHAT, () => decodeJwt(token).tid);
      if (typeof tid !== 'string' || !TENANT_ID.test(tid)) {
        throw tokenError('unauthorized', 'tenant', `${WHAT}: the tid claim is missing or not a tenant id.`);
      }
      // Checked before any key fetch, so that a forged tid cannot make Trellis fetch arbitrary tenants' keys.
      if (allowed && !allowed.includes(tid.toLowerCase())) {
        throw tokenError('forbidden', 'tenant', `${WHAT}: tenant ${tid} is not allowed to use this Trellis.`);
      }
      const issuer = `${authority}/${tid}/v2.0`;
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, keys.jwks(`${authority}/${tid}/discovery/v2.0/keys`), {
          issuer,
          audience: audiences,
          algorithms: ['RS256'],
          clockTolerance: options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp', 'tid'],
        }));
      } catch (error) {
        throw fromJoseError(error, WHAT, { issuer, audience: audiences.join(' or ') });
      }
      const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
      const roles = Array.isArray(claims.roles)
        ? claims.roles.filter((r): r is string => typeof r === 'string')
        : [];
      if (requiredScope && !scopes.includes(requiredScope)) {
        throw tokenError(
          'forbidden',
          'scope',
          `${WHAT}: the token lacks the delegated scope ${requiredScope}.`,
        );
      }
      return {
        tenantId: tid,
        objectId: typeof claims.oid === 'string' ? claims.oid : String(claims.sub ?? ''),
        name: typeof claims.name === 'string' ? claims.name : undefined,
        preferredUsername:
          typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined,
        scopes,
        roles,
        claims,
      };
    },
    close: () => keys.close(),
  };
}
