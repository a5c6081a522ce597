import { readFile } from 'node:fs/promises';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { EnvelopeCipher, SecretStore } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import {
  createDirectory,
  createGraphClient,
  createTenantThrottleState,
  type Directory,
  type GraphClient,
} from '../graph/index.ts';
import {
  type ApiTokenService,
  createApiTokenService,
  createIdentityService,
  type IdentityService,
} from '../identity/index.ts';
import type { BlobStore } from '../storage/index.ts';
import { createProvisioningEngine, type ProvisioningEngine } from '../provisioning/index.ts';
import { createRequestService, type RequestService } from '../requests/index.ts';
import { createTemplateService, type TemplateService } from '../templates/index.ts';
import { createEventBus, type OutboxEventBus } from '../events/index.ts';
import { createTeamsBot, type TeamsBot } from '../teams/index.ts';
import { createJobQueue, type JobQueue } from '../jobs/index.ts';
import { createWebhookSender, createWebhookService, type WebhookService } from '../webhooks/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { createLeader } from './leader.ts';

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
  /** Durable jobs in PostgreSQL (pg-boss). */
  jobs: JobQueue;
  /** Domain events through the transactional outbox. */
  events: OutboxEventBus;
  /** Webhook subscriptions and signed, retried deliveries. */
  webhooks: WebhookService;
  // <graph: fields>
  /** The one Microsoft Graph client (app-only, per Entra tenant). */
  graph: GraphClient;
  /** Directory reads over Graph, cached. */
  directory: Directory;
  // <identity: fields>
  /** Users from Entra: access tokens, tenants, roles, onboarding by admin consent. */
  identity: IdentityService;
  // <templates: fields>
  /** Template catalog: versions, assets, metadata fields, catalog, naming preview. */
  templates: TemplateService;
  // <requests: fields>
  requests: RequestService;
  // <provisioning: fields>
  /** The provisioning engine: durable runs of approved requests, plan and capture. */
  provisioning: ProvisioningEngine;
  // <teams: fields>
  /** The Teams bot: commands, card actions, message extensions, proactive cards. */
  teams: TeamsBot;
  /**
   * Starts background work (job workers, event dispatch, schedules) and, in embedded mode, the demo
   * tenant. `workers: false` (the CLI) enqueues without running jobs.
   */
  start(options?: { workers?: boolean }): Promise<void>;
  /** Stops background work; in-flight jobs finish or are left for another worker. */
  stop(): Promise<void>;
}

/** How often the cluster leader reminds approvers and expires requests. */
const REQUEST_SWEEP_MS = 5 * 60_000;

export async function createDomain(deps: DomainDeps): Promise<Domain> {
  const starters: (() => Promise<void>)[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const tokens = createApiTokenService({ db: deps.db });
  // <jobs-events-webhooks: construction>
  const jobs = createJobQueue({ db: deps.db, log: deps.log });
  const events = createEventBus({ db: deps.db, jobs, log: deps.log });
  const webhookSender = createWebhookSender({
    allowPrivateNetworks: deps.config.webhooks.allowPrivateNetworks,
    caPem: deps.config.webhooks.caFile ? await readFile(deps.config.webhooks.caFile, 'utf8') : undefined,
  });
  stoppers.push(() => webhookSender.close());
  const webhooks = createWebhookService({
    db: deps.db,
    jobs,
    secrets: deps.secrets,
    sender: webhookSender,
    config: deps.config.webhooks,
    log: deps.log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  events.subscribeDurable('webhooks', async (event) => {
    await webhooks.fanOut(event);
  });
  // <graph: construction>
  const graph = createGraphClient({
    config: deps.config,
    log: deps.log,
    // Graph's throttling is the tenant's, whichever process sends: shared through Redis or PostgreSQL.
    throttle: createTenantThrottleState({ cache: deps.cache, db: deps.db }),
  });
  stoppers.push(() => graph.close());
  const directory = createDirectory({ graph, cache: deps.cache, log: deps.log });
  // <identity: construction>
  const identity = createIdentityService({
    config: deps.config,
    db: deps.db,
    cache: deps.cache,
    directory,
    graph,
    log: deps.log,
  });
  stoppers.push(() => identity.close());
  // <templates: construction>
  const templates = createTemplateService({
    db: deps.db,
    blobs: deps.blobs,
    // In-process caches of several instances would not see each other's changes: the catalog is
    // cached in Redis, or in memory only where one process owns the database (embedded PGlite).
    ...(deps.cache.name === 'redis' || deps.db.kind === 'pglite' ? { cache: deps.cache } : {}),
    events,
    directory,
    log: deps.log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  // <requests: construction>
  const requests = createRequestService({
    db: deps.db,
    events,
    templates,
    directory,
    log: deps.log,
    now: deps.now ?? (() => new Date()),
  });
  // <provisioning: construction>
  const provisioning = createProvisioningEngine({
    config: deps.config,
    db: deps.db,
    jobs,
    events,
    graph,
    directory,
    templates,
    requests,
    log: deps.log,
  });
  stoppers.push(() => provisioning.stop());
  // <teams: construction>
  const teams = createTeamsBot({
    config: deps.config,
    log: deps.log,
    db: deps.db,
    cache: deps.cache,
    graph,
    directory,
    identity,
    templates,
    requests,
    provisioning,
  });
  // Notifications run where events are dispatched (job workers), whichever process that is.
  teams.start(events);
  stoppers.push(() => teams.stop());
  // <runtime: periodic work, once across the cluster>
  // Worker processes elect one leader (a PostgreSQL advisory lock; PGlite: this process), which runs
  // the sweeps; another takes over within PROVISIONING_RECOVERY_SECONDS when it stops or dies.
  const leader = createLeader({
    db: deps.db,
    url: deps.config.database.appUrl ?? deps.config.database.url,
    log: deps.log,
    name: 'periodic',
    retryMs: deps.config.provisioning.recoverySeconds * 1000,
  });
  leader.every('provisioning.recover', deps.config.provisioning.recoverySeconds * 1000, () =>
    provisioning.recover(),
  );
  // Reminders and expiry.
  leader.every('requests.sweep', REQUEST_SWEEP_MS, async () => {
    await requests.sweep();
  });
  /** In embedded mode the Contoso demo tenant is onboarded and given the starter catalog. */
  async function embeddedDemo() {
    // <embedded: demo tenant onboarding and starter catalog>
    const demoEntraTenantId = deps.config.m365.mode === 'sandbox' ? deps.config.m365.tenantId : undefined;
    if (demoEntraTenantId) {
      await identity.onboard({
        entraTenantId: demoEntraTenantId,
        slug: 'contoso',
        displayName: 'Contoso',
        actor: { type: 'system', id: 'embedded-demo', name: 'Embedded demo' },
      });
    }
    // <templates: seed the starter catalog for the demo tenant>
    if (demoEntraTenantId) {
      const demo = await deps.db.withPlatform((tx) =>
        tx
          .selectFrom('tenants')
          .select('tenant_id')
          .where('entra_tenant_id', '=', demoEntraTenantId)
          .executeTakeFirst(),
      );
      // Idempotent: templates whose slug exists are left as the demo's users changed them.
      if (demo) {
        await templates.seedStarterCatalog(demo.tenant_id, {
          type: 'system',
          id: 'embedded-demo',
          name: 'Embedded demo',
        });
      }
    }
  }

  return {
    tokens,
    // <jobs-events-webhooks: members>
    jobs,
    events,
    webhooks,
    // <graph: members>
    graph,
    directory,
    // <identity: members>
    identity,
    // <templates: members>
    templates,
    // <requests: members>
    requests,
    // <provisioning: members>
    provisioning,
    // <teams: members>
    teams,
    async start(options = {}) {
      await jobs.start({ workers: options.workers ?? true });
      stoppers.push(() => jobs.stop());
      const workers = options.workers ?? true;
      // The CLI enqueues only: no schedules, no demo seeding behind the server's back.
      if (!workers) return;
      for (const start of starters) await start();
      // Web-only instances never lead; stopped first, so no sweep runs on stopped queues.
      await leader.start();
      stoppers.push(() => leader.stop());
      await embeddedDemo();
    },
    async stop() {
      for (const stop of stoppers.toReversed()) await stop();
    },
  };
}
