import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';
import type { Logger } from '../telemetry/index.ts';

/** How a leader's lock connection shows up in `pg_stat_activity`. */
export const LEADER_APPLICATION_NAME = 'trellis leader';
const DEFAULT_RETRY_MS = 15_000;
/** A lock connection that does not answer a check within this long is treated as lost. */
const QUERY_TIMEOUT_MS = 10_000;

/** One database session able to hold a session-level advisory lock. */
export interface LockSession {
  /** Takes the lock when nobody holds it; true when this session now holds it. */
  tryLock(): Promise<boolean>;
  /** One round trip on the session. @throws when the session is gone (and the lock with it) */
  check(): Promise<void>;
  /** Releases the lock (if held) and closes the session. */
  close(): Promise<void>;
  /** Registers the callback run once when the connection drops on its own. */
  onLost(listener: (error?: unknown) => void): void;
}

export interface LeaderOptions {
  /** Only its kind is used: embedded PGlite is one process, always the leader. */
  db: Pick<Db, 'kind'>;
  /** Connection string of the dedicated lock connection (PostgreSQL; the app's login is enough). */
  url?: string | undefined;
  log: Logger;
  /** Instances competing under the same name elect one leader (the advisory lock key derives from it). */
  name: string;
  /** How often a follower tries to take the lock, and how often the leader checks its connection. */
  retryMs?: number;
  /** Opens the lock session; defaults to a `pg` client on `url` (tests pass fakes). */
  openSession?: (key: bigint) => Promise<LockSession>;
}

/** A periodic task: runs every `intervalMs` while this process leads, never twice at once. */
export type LeaderTask = (signal: AbortSignal) => Promise<void>;

/**
 * Leadership of a cluster through a PostgreSQL session-level advisory lock held on one dedicated
 * connection: at most one instance per name leads at a time, and the lock goes with the connection,
 * so a crashed or partitioned leader gives way as soon as PostgreSQL drops its session. Periodic
 * tasks registered with `every` run only while leading; they must stay idempotent, since a leader
 * that loses its connection mid-task finishes that run while the next leader may start.
 */
export interface Leader {
  readonly name: string;
  isLeader(): boolean;
  /** Registers a task run on election, then `intervalMs` after each run ends; errors are logged. */
  every(task: string, intervalMs: number, run: LeaderTask): void;
  /** Competes for leadership (first attempt before resolving), then keeps re-trying in the background. */
  start(): Promise<void>;
  /** Stops competing, waits for running tasks, then releases the lock and closes the connection. */
  stop(): Promise<void>;
}

interface Task {
  name: string;
  intervalMs: number;
  run: LeaderTask;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

/** The advisory lock key of a leader name: 64 bits of SHA-256, as PostgreSQL's signed bigint. */
export function leaderLockKey(name: string): bigint {
  return createHash('sha256').update(`trellis:leader:${name}`).digest().readBigInt64BE(0);
}

/** Builds a leader; it competes once `start()` is called. @throws AppError(config) without a URL on PostgreSQL */
export function createLeader(options: LeaderOptions): Leader {
  const { log, name } = options;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  const embedded = options.db.kind === 'pglite';
  const url = options.url;
  const open =
    options.openSession ??
    (url === undefined ? undefined : (key: bigint) => openPgLockSession(url, key, retryMs));
  if (!embedded && !open) throw errors.config('DATABASE_URL', 'the cluster leader needs a connection string');
  const key = leaderLockKey(name);
  const tasks: Task[] = [];
  let session: LockSession | undefined;
  let leading = false;
  let stopped = true;
  let term: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  function elect(): void {
    leading = true;
    term = new AbortController();
    log.info({ leader: name }, 'elected cluster leader: periodic tasks run here');
    for (const task of tasks) runTask(task);
  }

  function demote(reason: string, error?: unknown): void {
    if (!leading) return;
    leading = false;
    term?.abort(new Error(reason));
    for (const task of tasks) clearTimeout(task.timer);
    if (error === undefined) log.info({ leader: name, reason }, 'no longer cluster leader');
    else log.warn({ leader: name, reason, err: error }, 'no longer cluster leader');
  }

  function runTask(task: Task): void {
    if (!leading || stopped || task.running || !term) return;
    const signal = term.signal;
    task.running = (async () => {
      try {
        await task.run(signal);
      } catch (error) {
        log.error({ err: error, leader: name, task: task.name }, 'periodic task failed');
      }
    })().finally(() => {
      task.running = undefined;
      if (!leading || stopped) return;
      task.timer = setTimeout(() => runTask(task), task.intervalMs);
      task.timer.unref();
    });
  }

  /** Forgets a session that failed or dropped; its lock (if any) is gone with the connection. */
  function drop(lost: LockSession, reason: string, error?: unknown): void {
    if (session !== lost) return;
    session = undefined;
    demote(reason, error);
    lost.close().catch(() => undefined);
  }

  async function openSession(): Promise<LockSession> {
    if (!open) throw new Error('no lock session on the embedded database');
    const opened = await open(key);
    opened.onLost((error) => drop(opened, 'the lock connection was lost', error ?? new Error('closed')));
    return opened;
  }

  /** One round: a follower tries to take the lock, the leader checks that its connection still holds it. */
  async function compete(): Promise<void> {
    let current = session;
    try {
      if (current && leading) {
        await current.check();
        return;
      }
      current ??= session = await openSession();
      if (stopped) return;
      if (await current.tryLock()) elect();
    } catch (error) {
      if (current) drop(current, 'the lock connection failed', error);
      else log.warn({ err: error, leader: name }, 'cannot open the leader lock connection; retrying');
    }
  }

  function scheduleNext(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      attempt = compete().finally(scheduleNext);
    }, retryMs);
    timer.unref();
  }

  return {
    name,
    isLeader: () => leading,
    every(taskName, intervalMs, run) {
      const task: Task = { name: taskName, intervalMs, run, timer: undefined, running: undefined };
      tasks.push(task);
      runTask(task);
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      if (embedded) {
        elect();
        return;
      }
      attempt = compete();
      await attempt;
      scheduleNext();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await attempt;
      demote('stopping');
      // The lock is kept until running tasks end, so no other instance starts them meanwhile.
      await Promise.all(tasks.flatMap((t) => (t.running ? [t.running] : [])));
      const closing = session;
      session = undefined;
      await closing?.close();
    },
  };
}

/** A `pg` client holding the lock; `pg_terminate_backend` or a network failure ends it (and the lock). */
async function openPgLockSession(url: string, key: bigint, retryMs: number): Promise<LockSession> {
  const client = new pg.Client({
    connectionString: url,
    application_name: LEADER_APPLICATION_NAME,
    connectionTimeoutMillis: QUERY_TIMEOUT_MS,
    query_timeout: Math.min(QUERY_TIMEOUT_MS, Math.max(1_000, retryMs)),
    keepAlive: true,
  });
  let lost: ((error?: unknown) => void) | undefined;
  let closed = false;
  const onDrop = (error?: unknown) => {
    if (closed) return;
    closed = true;
    lost?.(error);
  };
  client.on('error', onDrop);
  client.on('end', () => onDrop());
  try {
    await client.connect();
  } catch (error) {
    closed = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    async tryLock() {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [
        key.toString(),
      ]);
      return rows[0]?.ok === true;
    },
    async check() {
      await client.query('select 1');
    },
    async close() {
      const wasOpen = !closed;
      closed = true;
      // Ending the session releases its locks; unlocking first just makes it explicit and immediate.
      if (wasOpen) await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
    onLost(listener) {
      lost = listener;
    },
  };
}
