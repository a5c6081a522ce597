import type { SecureContextOptions, TlsOptions } from 'node:tls';

/** Mozilla "intermediate": for TLS 1.2 only the six ECDHE AEAD suites (TLS 1.3 keeps OpenSSL's three). */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS13_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;

export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * Server TLS options. Node's defaults already refuse TLS < 1.2 but still offer CBC suites and
 * extra groups, so every knob is set explicitly. Server order stays on (all suites are AEAD + FS).
 */
export function tlsServerOptions(material: { cert: string; key: string }): TlsOptions & SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: TLS_CURVES,
    honorCipherOrder: true,
  };
}
