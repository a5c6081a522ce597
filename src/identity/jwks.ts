import { rootCertificates } from 'node:tls';
import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWK, type RemoteJWKSet } from 'jose';
import { Agent, fetch } from 'undici';
import { errors } from '../errors/index.ts';

/** Fetches OpenID metadata and signing keys, trusting an extra CA (a local sandbox) besides the public roots. */
export interface KeySource {
  /**
   * GETs a JSON document (OpenID metadata).
   * @throws AppError(Unavailable) when it cannot be fetched.
   */
  json<T>(url: string): Promise<T>;
  /** A caching JWKS resolver for `url` (one per url; refetched when a token names an unknown kid). */
  jwks(url: string): RemoteJWKSet;
  /** The cached JWK a token's `kid` names, with members jose ignores (`endorsements`). */
  cachedKey(url: string, kid: string | undefined): (JWK & { endorsements?: unknown }) | undefined;
  close(): Promise<void>;
}

export interface KeySourceOptions {
  /** PEM CA certificate(s) to trust in addition to the public roots. */
  ca?: string | readonly string[] | undefined;
  /** Most JWKS kept at once (multi-tenant Entra keeps one per tenant); oldest dropped first. */
  maxKeySets?: number;
  timeoutMs?: number;
}

/** Creates a key source; close it on shutdown to release its connections. */
export function createKeySource(options: KeySourceOptions = {}): KeySource {
  const extraCa =
    options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  const dispatcher =
    extraCa.length > 0 ? new Agent({ connect: { ca: [...rootCertificates, ...extraCa] } }) : undefined;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxKeySets = options.maxKeySets ?? 100;
  const sets = new Map<string, RemoteJWKSet>();

  // jose hands over global-fetch types; undici's fetch takes the same values, typed apart.
  const trustedFetch: FetchImplementation = (url, init) =>
    fetch(url, {
      method: init.method,
      redirect: init.redirect,
      signal: init.signal,
      headers: Object.fromEntries(init.headers),
      ...(dispatcher ? { dispatcher } : {}),
    }) as unknown as Promise<Response>;

  return {
    async json<T>(url: string): Promise<T> {
      let response: Awaited<ReturnType<typeof fetch>>;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
          ...(dispatcher ? { dispatcher } : {}),
        });
      } catch (cause) {
        throw errors.unavailable(`Could not fetch ${url}: ${(cause as Error).message}`);
      }
      if (!response.ok) throw errors.unavailable(`Could not fetch ${url}: HTTP ${response.status}`);
      return (await response.json()) as T;
    },
    jwks(url) {
      let set = sets.get(url);
      if (!set) {
        set = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs, [customFetch]: trustedFetch });
        sets.set(url, set);
        if (sets.size > maxKeySets) {
          const oldest = sets.keys().next().value;
          if (oldest !== undefined) sets.delete(oldest);
        }
      }
      return set;
    },
    cachedKey(url, kid) {
      const keys = sets.get(url)?.jwks()?.keys ?? [];
      return keys.find((k) => k.kid === kid);
    },
    async close() {
      sets.clear();
      await dispatcher?.close();
    },
  };
}
