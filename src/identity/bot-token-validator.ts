import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { createKeySource, type KeySource } from './jwks.ts';
import { bearerToken, fromJoseError, readUnverified, tokenError } from './token-errors.ts';

/** Where Bot Framework publishes its OpenID metadata in the public cloud. */
export const BOT_FRAMEWORK_OPENID_METADATA_URL =
  'https://login.botframework.com/v1/.well-known/openidconfiguration';
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Bot Framework and both SDKs allow five minutes of clock skew. */
const CLOCK_SKEW_SECONDS = 300;
/** The metadata document rarely changes; its keys are cached and refetched on an unknown kid. */
const METADATA_TTL_MS = 24 * 60 * 60 * 1000;

export interface BotTokenValidatorOptions {
  /** `…/v1/.well-known/openidconfiguration` (the sandbox's in tests and the embedded demo). */
  openIdMetadataUrl: string;
  /** The bot's app id: the only accepted audience. */
  botAppId: string;
  issuer?: string;
  /** PEM CA(s) trusted, besides the public roots, for the metadata and keys. */
  ca?: string | readonly string[];
  clockSkewSeconds?: number;
}

/** What a valid Connector→bot token proves. */
export interface BotCaller {
  appId: string;
  serviceUrl: string;
  claims: JWTPayload;
}

/** The part of an incoming activity the token is checked against. */
export interface ActivityBinding {
  serviceUrl?: unknown;
  channelId?: unknown;
}

export interface BotTokenValidator {
  /**
   * Applies Bot Framework's Connector→bot rules: Bearer scheme, well-formed JWT, issuer, audience =
   * bot app id, lifetime with 5 min skew, RS256 signature by a published key, `serviceurl` claim =
   * the activity's serviceUrl; then the signing key must be endorsed for the activity's channel.
   * @throws AppError Unauthorized (details.rule names the failed rule), Forbidden for the endorsement,
   *   Unavailable when the metadata or keys cannot be fetched.
   */
  validate(authorizationHeader: string | undefined, activity: ActivityBinding): Promise<BotCaller>;
  close(): Promise<void>;
}

const WHAT = 'Bot Framework token';

/** Normalizes a service URL the way the Teams SDK compares them: case and a trailing slash ignored. */
function sameServiceUrl(a: string, b: string): boolean {
  const norm = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** Validates the tokens Bot Framework (or the sandbox) puts on activities POSTed to the bot. */
export function createBotTokenValidator(options: BotTokenValidatorOptions): BotTokenValidator {
  const issuer = options.issuer ?? BOT_FRAMEWORK_ISSUER;
  const keys: KeySource = createKeySource({ ca: options.ca });
  let metadata: { jwksUri: string; fetchedAt: number } | undefined;

  const jwksUri = async (): Promise<string> => {
    if (metadata && Date.now() - metadata.fetchedAt < METADATA_TTL_MS) return metadata.jwksUri;
    const document = await keys.json<{ jwks_uri?: unknown }>(options.openIdMetadataUrl);
    if (typeof document.jwks_uri !== 'string') {
      throw tokenError('unauthorized', 'signature', `${WHAT}: the OpenID metadata has no jwks_uri.`);
    }
    metadata = { jwksUri: document.jwks_uri, fetchedAt: Date.now() };
    return metadata.jwksUri;
  };

  return {
    async validate(authorizationHeader, activity) {
      const token = bearerToken(authorizationHeader, WHAT);
      const kid = readUnverified(WHAT, () => decodeProtectedHeader(token).kid);
      const uri = await jwksUri();
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, keys.jwks(uri), {
          issuer,
          audience: options.botAppId,
          algorithms: ['RS256'],
          clockTolerance: options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw fromJoseError(error, WHAT, { issuer, audience: options.botAppId });
      }

      const claimed = claims.serviceurl;
      const expected = activity.serviceUrl;
      if (typeof claimed !== 'string' || typeof expected !== 'string' || !sameServiceUrl(claimed, expected)) {
        throw tokenError(
          'unauthorized',
          'service-url',
          `${WHAT}: the serviceurl claim (${String(claimed)}) does not match the activity's serviceUrl (${String(expected)}).`,
        );
      }

      // A key is trusted only for the channels that endorse it (botbuilder's EndorsementsValidator).
      const channelId = activity.channelId;
      const endorsements = keys.cachedKey(uri, kid)?.endorsements;
      if (
        typeof channelId !== 'string' ||
        !Array.isArray(endorsements) ||
        !endorsements.some((e) => typeof e === 'string' && e.toLowerCase() === channelId.toLowerCase())
      ) {
        throw tokenError(
          'forbidden',
          'endorsement',
          `${WHAT}: the signing key is not endorsed for channel "${String(channelId)}".`,
        );
      }
      return { appId: options.botAppId, serviceUrl: claimed, claims };
    },
    close: () => keys.close(),
  };
}
