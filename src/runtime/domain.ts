import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { EnvelopeCipher, SecretStore } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import { type ApiTokenService, createApiTokenService } from '../identity/index.ts';
import type { BlobStore } from '../storage/index.ts';
import type { Logger } from '../telemetry/index.ts';

/** What the domain is built from: the adapters of src/runtime/services.ts plus configuration. */
export interface DomainDeps {
  config: Config;
  log: Logger;
  db: Db;
  cache: Cache;
  blobs: BlobStore;
  cipher: EnvelopeCipher;
  secrets: SecretStore;
  /** Injected for tests of reminders and expiry. */
  now?: () => Date;
}

/**
 * The domain services of one process, wired explicitly. Each capability owns its section below;
 * routes, the CLI, the bot and workers use these, never each other's internals.
 */
export interface Domain {
  tokens: ApiTokenService;
  // <jobs-events-webhooks: fields>
  // <graph: fields>
  // <identity: fields>
  // <templates: fields>
  // <requests: fields>
  /** Starts background work (job workers, event dispatch, schedules). */
  start(): Promise<void>;
  /** Stops background work; in-flight jobs finish or are left for another worker. */
  stop(): Promise<void>;
}

export async function createDomain(deps: DomainDeps): Promise<Domain> {
  const starters: (() => Promise<void>)[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const tokens = createApiTokenService({ db: deps.db });
  // <jobs-events-webhooks: construction>
  // <graph: construction>
  // <identity: construction>
  // <templates: construction>
  // <requests: construction>
  // <embedded: demo tenant onboarding and starter catalog>
  return {
    tokens,
    // <jobs-events-webhooks: members>
    // <graph: members>
    // <identity: members>
    // <templates: members>
    // <requests: members>
    async start() {
      for (const start of starters) await start();
    },
    async stop() {
      for (const stop of stoppers.toReversed()) await stop();
    },
  };
}
