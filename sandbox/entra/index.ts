import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { adminConsentRoute } from './routes/admin-consent.ts';
import { authorizeRoute } from './routes/authorize.ts';
import { instanceDiscoveryRoute } from './routes/instance-discovery.ts';
import { jwksRoute } from './routes/jwks.ts';
import { logoutRoute } from './routes/logout.ts';
import { openIdConfigurationRoute } from './routes/openid-configuration.ts';
import { signInRoute } from './routes/sign-in.ts';
import { tokenRoute } from './routes/token.ts';
import { userInfoRoute } from './routes/userinfo.ts';

export {
  AccessTokenError,
  type AccessTokenRequest,
  issueAccessToken,
  issuerFor,
  RESOURCES,
  type VerifiedCaller,
  verifyBearer,
} from './access-tokens.ts';
export { EntraError } from './errors.ts';
export { issueIdToken } from './token-response.ts';

/**
 * Entra ID at `/{tenant}/…` (tenant id, verified domain, `common` or `organizations`): OpenID
 * configuration, JWKS, token endpoint (client credentials, on-behalf-of, authorization code + PKCE,
 * refresh), authorize with a sign-in page, admin consent, logout, instance discovery; Graph's
 * `/oidc/userinfo`.
 */
export async function entraRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  openIdConfigurationRoute(app, ctx);
  jwksRoute(app, ctx);
  instanceDiscoveryRoute(app, ctx);
  tokenRoute(app, ctx);
  authorizeRoute(app, ctx);
  signInRoute(app, ctx);
  logoutRoute(app, ctx);
  userInfoRoute(app, ctx);
  adminConsentRoute(app, ctx);
}
