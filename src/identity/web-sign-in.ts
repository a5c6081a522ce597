import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type AccountInfo,
  ConfidentialClientApplication,
  type ICachePlugin,
  type TokenCacheContext,
} from '@azure/msal-node';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { EnvelopeCipher } from '../crypto/index.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { createMsalNetworkClient, type MsalNetworkClient } from './msal-network-client.ts';

/** Where Entra sends the browser back with the authorization code. */
export const WEB_CALLBACK_PATH = '/auth/callback';
/** A pending sign-in (PKCE verifier, state) lives this long: the time to pick an account. */
const PENDING_TTL_MS = 10 * 60_000;
/** A browser session lasts at most this long, whatever the refresh token allows. */
export const WEB_SESSION_TTL_MS = 12 * 3600_000;
/** The platform tenant the envelope of a session's token cache is bound to (sessions precede tenants). */
const SESSION_AAD_TENANT = 'web-sessions';

/** What the browser gets from `POST /auth/token`: an access token for Trellis's own API. */
export interface WebAccessToken {
  accessToken: string;
  expiresOn: string;
  name: string | null;
  username: string | null;
}

interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
  redirectUri: string;
}

interface StoredSession {
  homeAccountId: string;
  entraTenantId: string;
  /** MSAL's serialized token cache of this session (refresh token included), envelope-encrypted. */
  tokens: Awaited<ReturnType<EnvelopeCipher['encrypt']>>;
  createdAt: number;
}

/**
 * Browser sign-in for the tabs outside Teams, as a confidential client (the token-mediating
 * backend pattern): authorization code with PKCE through MSAL, the refresh token kept server-side
 * (envelope-encrypted in the shared cache, so any web instance serves the session), the browser
 * holding only an HttpOnly session cookie and short-lived access tokens for the API.
 */
export interface WebSignIn {
  /** The authorize URL to send the browser to, and the state to remember in its cookie. */
  begin(input: {
    returnTo: string;
    redirectUri: string;
    loginHint?: string;
  }): Promise<{ url: string; state: string }>;
  /**
   * Redeems the code for the pending sign-in `state` (read from the browser's cookie, compared with
   * the query's) and opens a session.
   * @throws AppError(unauthorized) for an unknown, expired or mismatched state, or a refused code.
   */
  complete(input: {
    state: string;
    browserState: string | undefined;
    code: string;
  }): Promise<{ sessionId: string; returnTo: string }>;
  /**
   * A current access token for the session (refreshed through MSAL when near expiry).
   * @throws AppError(unauthorized) when the session is unknown, expired or its refresh failed.
   */
  accessToken(sessionId: string): Promise<WebAccessToken>;
  signOut(sessionId: string): Promise<void>;
  /** Where to send the browser to end the Entra session too. */
  logoutUrl(postLogoutRedirectUri: string): string;
  close(): Promise<void>;
}

const sessionKey = (sessionId: string) =>
  `web:session:${createHash('sha256').update(sessionId).digest('base64url')}`;
const pendingKey = (state: string) => `web:pending:${state}`;

/** Only same-origin paths are followed after sign-in (no open redirect). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/tabs/catalog';
  return value.slice(0, 2000);
}

export function createWebSignIn(deps: {
  config: Config;
  cache: Cache;
  cipher: EnvelopeCipher;
  log: Logger;
}): WebSignIn {
  const { config, cache, cipher, log } = deps;
  const m365 = config.m365;
  const authorityHost = m365.authorityHost.replace(/\/+$/, '');
  // Multi-tenant: any work account signs in; its tenant must be onboarded for the API to accept it.
  const authority = `${authorityHost}/organizations`;
  let network: Promise<MsalNetworkClient> | undefined;
  const networkClient = () =>
    (network ??= (async () =>
      createMsalNetworkClient(m365.caFile ? { ca: await readFile(m365.caFile, 'utf8') } : {}))());

  const apiScope = () => {
    if (!m365.clientId) throw errors.unavailable('Entra sign-in is not configured (M365_CLIENT_ID)');
    return `api://${new URL(config.publicUrl).host}/${m365.clientId}/access_as_user`;
  };

  /** One MSAL client per operation, its token cache being this session's only (no cross-session state). */
  async function clientFor(tokens: { blob: string }): Promise<ConfidentialClientApplication> {
    if (!m365.clientId || !m365.clientSecret) {
      throw errors.unavailable('Entra sign-in is not configured (M365_CLIENT_ID, M365_CLIENT_SECRET)');
    }
    const cachePlugin: ICachePlugin = {
      async beforeCacheAccess(context: TokenCacheContext) {
        if (tokens.blob) context.tokenCache.deserialize(tokens.blob);
      },
      async afterCacheAccess(context: TokenCacheContext) {
        if (context.cacheHasChanged) tokens.blob = context.tokenCache.serialize();
      },
    };
    return new ConfidentialClientApplication({
      auth: {
        clientId: m365.clientId,
        clientSecret: m365.clientSecret,
        authority,
        knownAuthorities: [new URL(authorityHost).host],
      },
      cache: { cachePlugin },
      system: { networkClient: await networkClient() },
    });
  }

  const aad = (key: string) => ({ tenantId: SESSION_AAD_TENANT, recordType: 'web_session', recordId: key });

  async function save(sessionId: string, session: Omit<StoredSession, 'tokens'>, blob: string) {
    const key = sessionKey(sessionId);
    const stored: StoredSession = { ...session, tokens: await cipher.encrypt(aad(key), blob) };
    const remaining = session.createdAt + WEB_SESSION_TTL_MS - Date.now();
    if (remaining > 0) await cache.set(key, stored, remaining);
  }

  function refused(cause: unknown, what: string): AppError {
    const code = (cause as { errorCode?: string }).errorCode;
    log.info({ errorCode: code }, `${what} refused`);
    return new AppError(ErrorCode.Unauthorized, `${what} failed; sign in again`, {
      details: { reason: code ?? 'unknown' },
    });
  }

  return {
    async begin(input) {
      if (!m365.clientId) throw errors.unavailable('Entra sign-in is not configured (M365_CLIENT_ID)');
      const state = randomBytes(24).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const pending: PendingSignIn = {
        verifier,
        nonce,
        returnTo: safeReturnTo(input.returnTo),
        redirectUri: input.redirectUri,
      };
      await cache.set(pendingKey(state), pending, PENDING_TTL_MS);
      const url = new URL(`${authority}/oauth2/v2.0/authorize`);
      url.search = new URLSearchParams({
        client_id: m365.clientId,
        response_type: 'code',
        response_mode: 'query',
        redirect_uri: input.redirectUri,
        scope: `${apiScope()} openid profile offline_access`,
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        prompt: 'select_account',
        ...(input.loginHint ? { login_hint: input.loginHint } : {}),
      }).toString();
      return { url: url.toString(), state };
    },

    async complete(input) {
      if (!input.browserState || input.browserState !== input.state) {
        throw errors.unauthorized('This sign-in was not started by this browser; sign in again');
      }
      const pending = await cache.get<PendingSignIn>(pendingKey(input.state));
      await cache.delete(pendingKey(input.state));
      if (!pending) throw errors.unauthorized('This sign-in expired or was already used; sign in again');
      const tokens = { blob: '' };
      const client = await clientFor(tokens);
      let account: AccountInfo | null;
      try {
        // MSAL checks the returned state and the ID token's nonce against this sign-in's.
        const result = await client.acquireTokenByCode(
          {
            code: input.code,
            codeVerifier: pending.verifier,
            redirectUri: pending.redirectUri,
            scopes: [apiScope()],
            state: input.state,
            nonce: pending.nonce,
          },
          { code: input.code, state: input.state },
        );
        account = result.account;
      } catch (cause) {
        throw refused(cause, 'Sign-in');
      }
      if (!account) throw errors.unauthorized('Entra returned no account; sign in again');
      const sessionId = randomBytes(32).toString('base64url');
      await save(
        sessionId,
        { homeAccountId: account.homeAccountId, entraTenantId: account.tenantId, createdAt: Date.now() },
        tokens.blob,
      );
      return { sessionId, returnTo: pending.returnTo };
    },

    async accessToken(sessionId) {
      const key = sessionKey(sessionId);
      const stored = await cache.get<StoredSession>(key);
      if (!stored) throw errors.unauthorized('Not signed in');
      const tokens = { blob: (await cipher.decrypt(aad(key), stored.tokens)).toString('utf8') };
      const before = tokens.blob;
      const client = await clientFor(tokens);
      const account = await client.getTokenCache().getAccountByHomeId(stored.homeAccountId);
      if (!account) throw errors.unauthorized('Not signed in');
      let result;
      try {
        result = await client.acquireTokenSilent({ account, scopes: [apiScope()] });
      } catch (cause) {
        await cache.delete(key);
        throw refused(cause, 'Token refresh');
      }
      if (tokens.blob !== before) await save(sessionId, stored, tokens.blob);
      return {
        accessToken: result.accessToken,
        expiresOn: (result.expiresOn ?? new Date(Date.now() + 300_000)).toISOString(),
        name: account.name ?? null,
        username: account.username || null,
      };
    },

    async signOut(sessionId) {
      await cache.delete(sessionKey(sessionId));
    },

    logoutUrl(postLogoutRedirectUri) {
      const url = new URL(`${authority}/oauth2/v2.0/logout`);
      url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
      return url.toString();
    },

    async close() {
      if (network) await (await network).close();
    },
  };
}
