import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { EnvelopeCipher, SecretStore } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import type { Domain } from '../runtime/domain.ts';
import type { BlobStore } from '../storage/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { ApiScope, Caller } from './caller.ts';

/** Who may call a route: a scope, any authenticated caller, or anyone (documents, onboarding). */
export type RouteAccess = ApiScope | 'authenticated' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every /api/v1 route; the auth hook enforces it (src/api/auth.ts). */
    access?: RouteAccess;
    /** Rate-limit cost class (default 'standard'): 'search' and 'write' routes count more. */
    cost?: 'standard' | 'write' | 'search';
    /**
     * Creating POSTs: honour `Idempotency-Key` (src/api/idempotency.ts). The first response to a
     * key is stored and replayed for 24 h; the key with another body is refused.
     */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Set by the auth hook on /api/v1 routes whose access is not 'public'. */
    caller?: Caller;
  }
}

/** What every API route plugin receives. */
export interface ApiDeps {
  config: Config;
  log: Logger;
  db: Db;
  cache: Cache;
  blobs: BlobStore;
  secrets: SecretStore;
  cipher: EnvelopeCipher;
  domain: Domain;
}

/** The Fastify instance routes are declared on: TypeBox schemas give typed params/body/response. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A capability's routes, registered under /api/v1 by src/api/register-api.ts. */
export type ApiRoutes = (app: ApiApp, deps: ApiDeps) => Promise<void>;
