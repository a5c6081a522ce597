export { ensureLocalCertificate, type TlsMaterial } from './local-ca.ts';
export {
  HSTS_MAX_AGE_SECONDS,
  TLS_CURVES,
  TLS12_CIPHERS,
  TLS13_CIPHERS,
  tlsServerOptions,
} from './tls-policy.ts';
