import {
  type CryptoKey,
  calculateJwkThumbprint,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/** A signing key and its public JWK, as published at a JWKS endpoint. */
export interface Signer {
  kid: string;
  publicJwk: JWK;
  sign(payload: JWTPayload, options: { expiresInSeconds: number; typ?: string }): Promise<string>;
  verify(
    token: string,
    options: { issuer?: string | string[]; audience?: string | string[] },
  ): Promise<JWTPayload>;
}

export async function createSigner(key: {
  kid: string;
  privateJwk: Record<string, unknown>;
}): Promise<Signer> {
  const privateKey = (await importJWK(key.privateJwk as JWK, 'RS256')) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = key.privateJwk as JWK;
  const publicKey = (await importJWK(pub, 'RS256')) as CryptoKey;
  // x5t is the certificate thumbprint in Entra's JWKS; a JWK thumbprint stands in for it.
  const x5t = await calculateJwkThumbprint(pub, 'sha256');
  return {
    kid: key.kid,
    publicJwk: { ...pub, kid: key.kid, use: 'sig', alg: 'RS256', x5t },
    async sign(payload, options) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'JWT', kid: key.kid, x5t })
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + options.expiresInSeconds)
        .sign(privateKey);
    },
    async verify(token, options) {
      const { payload } = await jwtVerify(token, publicKey, {
        algorithms: ['RS256'],
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      });
      return payload;
    },
  };
}
