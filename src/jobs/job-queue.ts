import { CompiledQuery } from 'kysely';
import { type Db as IDatabase, PgBoss } from 'pg-boss';
import type { Db, Tx } from '../db/index.ts';
import { type Logger, meterProviderWithoutGauges } from '../telemetry/index.ts';
import { installJobSchema, JOB_SCHEMA } from './install-job-schema.ts';

/** Retry and lifetime policy of one queue. */
export interface QueuePolicy {
  /** Attempts after the first (default 5). */
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time with jitter when `retryBackoff` (default). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** Upper bound of the backoff delay. */
  retryDelayMaxSeconds?: number;
  /** A run taking longer is considered dead and retried (default 15 min). */
  expireInSeconds?: number;
  /** Jobs run at once in this process (default 2). */
  concurrency?: number;
  /**
   * pg-boss queue policy: `short` keeps at most one queued job per singleton key, `singleton` at
   * most one active, `stately` one of each; `standard` (default) does not dedupe.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

/** One run of a job, as its handler sees it. */
export interface JobRun<T> {
  id: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when the run expires or the queue stops: long handlers should stop on it. */
  signal: AbortSignal;
}

export interface SendOptions {
  /** Enqueue inside the caller's transaction: the job exists if and only if it commits. */
  tx?: Tx;
  /** Deduplication key, per the queue's policy (`short`: one queued job per key). */
  singletonKey?: string;
  startAfter?: Date | number;
}

/**
 * Durable jobs in PostgreSQL (pg-boss), on PGlite as on PostgreSQL: retried with backoff, picked up
 * again when a worker dies, never kept in memory only.
 */
export interface JobQueue {
  /** Declares a queue and its handler; workers poll once `start()` ran. */
  define<T extends object>(
    name: string,
    policy: QueuePolicy,
    handler: (job: JobRun<T>) => Promise<void>,
  ): void;
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Runs `name` on a cron schedule (one instance across processes fires it). */
  schedule(name: string, cron: string, data?: object): Promise<void>;
  /** Connects; with `workers: false` (the CLI) jobs are enqueued but not run here. */
  start(options?: { workers?: boolean }): Promise<void>;
  /** Stops polling and waits for running jobs (up to `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

interface Definition {
  policy: QueuePolicy;
  handler: (job: JobRun<object>) => Promise<void>;
}

/** pg-boss reaches the database only through these, so on PGlite it shares our serialised connection. */
function databaseOf(db: Db): IDatabase {
  return { executeSql: (text, values) => db.executeSql(text, values) };
}

function transactionOf(tx: Tx): IDatabase {
  return {
    executeSql: async (text, values) => {
      const result = await tx.executeQuery(CompiledQuery.raw(text, [...(values ?? [])]));
      return { rows: result.rows as unknown[] };
    },
  };
}

export interface JobQueueDeps {
  db: Db;
  log: Logger;
  /** How often idle workers look for jobs (default 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How often expired runs (dead workers) are detected and retried (default 60 s). */
  monitorIntervalSeconds?: number;
}

export function createJobQueue(deps: JobQueueDeps): JobQueue {
  const { db, log } = deps;
  const definitions = new Map<string, Definition>();
  const schedules: { name: string; cron: string; data: object | undefined }[] = [];
  let boss: PgBoss | undefined;
  let workers = true;

  const queueOptions = (policy: QueuePolicy) => ({
    policy: policy.policy ?? 'standard',
    retryLimit: policy.retryLimit ?? 5,
    retryDelay: policy.retryDelaySeconds ?? 5,
    retryBackoff: policy.retryBackoff ?? true,
    ...(policy.retryDelayMaxSeconds ? { retryDelayMax: policy.retryDelayMaxSeconds } : {}),
    expireInSeconds: policy.expireInSeconds ?? 900,
  });

  function started(): PgBoss {
    if (!boss) throw new Error('The job queue is not started');
    return boss;
  }

  return {
    define(name, policy, handler) {
      if (definitions.has(name)) throw new Error(`Queue ${name} is defined twice`);
      definitions.set(name, { policy, handler: handler as Definition['handler'] });
    },

    async send(name, data, options = {}) {
      const queue = started();
      return queue.send(name, data, {
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options.startAfter !== undefined
          ? {
              startAfter:
                options.startAfter instanceof Date ? options.startAfter : new Date(options.startAfter),
            }
          : {}),
        ...(options.tx ? { db: transactionOf(options.tx) } : {}),
      });
    },

    async schedule(name, cron, data) {
      schedules.push({ name, cron, data });
      if (boss && workers) await boss.schedule(name, cron, data ?? {});
    },

    async start(options = {}) {
      workers = options.workers ?? true;
      const { installed } = await installJobSchema(db);
      if (installed) log.info({ schema: JOB_SCHEMA }, 'job queue schema installed');
      boss = new PgBoss({
        db: databaseOf(db),
        schema: JOB_SCHEMA,
        migrate: false,
        createSchema: false,
        // Maintenance and cron run where workers run; the CLI only enqueues.
        supervise: workers,
        schedule: workers,
        ...(deps.monitorIntervalSeconds
          ? {
              monitorIntervalSeconds: deps.monitorIntervalSeconds,
              superviseIntervalSeconds: deps.monitorIntervalSeconds,
            }
          : {}),
        ...(db.kind === 'pglite' ? { backend: 'pglite' as const } : {}),
        // pg-boss's own OpenTelemetry spans (send → process, on whatever SDK telemetry/otel.ts
        // installed): the sender's W3C trace context is stored with each job (its trace_context
        // column, never its data), so a job's run continues the trace of the request that sent it.
        // Its queue-depth gauge (pgboss.queue.jobs) is reported by workers only: every instance would
        // report the same cached counts.
        openTelemetry: {
          propagateContext: true,
          ...(workers ? {} : { meterProvider: meterProviderWithoutGauges() }),
        },
      });
      boss.on('error', (error: unknown) => log.warn({ err: error }, 'job queue error'));
      await boss.start();
      for (const [name, definition] of definitions) {
        if (!workers) {
          if (!(await boss.getQueue(name))) await boss.createQueue(name, queueOptions(definition.policy));
          continue;
        }
        const existing = await boss.getQueue(name);
        if (existing) {
          // The policy is fixed at creation; retry settings follow the code.
          const { policy: _policy, ...update } = queueOptions(definition.policy);
          await boss.updateQueue(name, update);
        } else await boss.createQueue(name, queueOptions(definition.policy));
        await boss.work<object>(
          name,
          {
            pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 0.5,
            localConcurrency: definition.policy.concurrency ?? 2,
          },
          async (jobs) => {
            for (const job of jobs) {
              await definition.handler({
                id: job.id,
                data: job.data,
                retryCount: job.retryCount,
                signal: job.signal,
              });
            }
          },
        );
      }
      if (workers) {
        for (const { name, cron, data } of schedules) await boss.schedule(name, cron, data ?? {});
        // A schedule an earlier version registered and this one no longer does (requests.sweep became
        // the leader's) would keep firing jobs that no worker takes: the code decides what is scheduled.
        const wanted = new Set(schedules.map((s) => s.name));
        for (const old of await boss.getSchedules()) {
          if (wanted.has(old.name)) continue;
          await boss.unschedule(old.name, old.key);
          log.info({ schedule: old.name }, 'retired a schedule this version no longer has');
        }
      }
    },

    async stop(graceMs = 10_000) {
      const running = boss;
      boss = undefined;
      if (running) await running.stop({ graceful: true, timeout: graceMs });
    },
  };
}
