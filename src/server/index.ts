export { type App, type AppDeps, type BuildOptions, buildApp } from './build-app.ts';
export { createRedirectServer, serverFactoryFor } from './http-server.ts';
export { type Problem, problemOf, sendProblem, toAppError } from './problem.ts';
export type { ReadinessResult } from './readiness.ts';
export { API_CSP, PAGE_CSP, PERMISSIONS_POLICY, TEAMS_FRAME_ANCESTORS } from './security-headers.ts';
export {
  ensureLocalCertificate,
  HSTS_MAX_AGE_SECONDS,
  TLS12_CIPHERS,
  TLS13_CIPHERS,
  type TlsMaterial,
} from './tls/index.ts';
