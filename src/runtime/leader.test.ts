import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../errors/index.ts';
import { createLogger } from '../telemetry/index.ts';
import { createLeader, leaderLockKey, type LockSession } from './leader.ts';

/** Log lines, parsed, for assertions on what was logged. */
function capture() {
  const lines: { level: string; msg: string; task?: string; reason?: string }[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A stand-in for PostgreSQL's advisory locks: one holder per key, released with its session. */
function fakeServer() {
  const holders = new Map<bigint, FakeSession>();
  const sessions: FakeSession[] = [];
  let refuse = false;

  class FakeSession implements LockSession {
    alive = true;
    lost: ((error?: unknown) => void) | undefined;
    readonly key: bigint;
    constructor(key: bigint) {
      this.key = key;
    }
    async tryLock() {
      if (!this.alive) throw new Error('connection closed');
      const holder = holders.get(this.key);
      if (holder && holder !== this) return false;
      holders.set(this.key, this);
      return true;
    }
    async check() {
      if (!this.alive) throw new Error('connection closed');
    }
    async close() {
      this.end();
    }
    onLost(listener: (error?: unknown) => void) {
      this.lost = listener;
    }
    end() {
      this.alive = false;
      if (holders.get(this.key) === this) holders.delete(this.key);
    }
  }

  return {
    sessions,
    /** Refuses new connections (the database is down) until set back. */
    set down(value: boolean) {
      refuse = value;
    },
    async open(key: bigint): Promise<LockSession> {
      if (refuse) throw new Error('connection refused');
      const session = new FakeSession(key);
      sessions.push(session);
      return session;
    },
    holder(name: string): FakeSession | undefined {
      return holders.get(leaderLockKey(name));
    },
    /** What `pg_terminate_backend` does: the session ends and its client hears of it. */
    terminate(session: FakeSession) {
      session.end();
      session.lost?.(new Error('terminating connection due to administrator command'));
    },
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('cluster leader', () => {
  test('on the embedded database the process leads at once, runs its tasks, and stops them on stop()', async () => {
    const { log } = capture();
    const leader = createLeader({ db: { kind: 'pglite' }, log, name: 'embedded' });
    let runs = 0;
    leader.every('count', 5, async () => {
      runs++;
    });
    assert.equal(leader.isLeader(), false);
    assert.equal(runs, 0, 'no task runs before start');
    await leader.start();
    assert.equal(leader.isLeader(), true);
    await waitFor('three runs', () => runs >= 3);
    await leader.stop();
    assert.equal(leader.isLeader(), false);
    const stoppedAt = runs;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(runs, stoppedAt, 'no run after stop()');
  });

  test('PostgreSQL without a connection string is a configuration error', () => {
    const { log } = capture();
    assert.throws(
      () => createLeader({ db: { kind: 'postgres' }, log, name: 'x' }),
      (error: unknown) => isAppError(error) && error.code === 'config_invalid',
    );
  });

  test('lock keys are stable per name and differ between names', () => {
    assert.equal(leaderLockKey('periodic'), leaderLockKey('periodic'));
    assert.notEqual(leaderLockKey('periodic'), leaderLockKey('other'));
    assert.equal(typeof leaderLockKey('periodic'), 'bigint');
  });

  test('two instances on one lock: exactly one leads, and only its tasks run', async () => {
    const server = fakeServer();
    const { log } = capture();
    const runs = { a: 0, b: 0 };
    const make = (id: 'a' | 'b') => {
      const leader = createLeader({
        db: { kind: 'postgres' },
        log,
        name: 'pair',
        retryMs: 10,
        openSession: server.open,
      });
      leader.every('count', 5, async () => {
        runs[id]++;
      });
      return leader;
    };
    const a = make('a');
    const b = make('b');
    try {
      await a.start();
      await b.start();
      assert.equal(a.isLeader(), true);
      assert.equal(b.isLeader(), false);
      await waitFor('the leader runs its task five times', () => runs.a >= 5);
      assert.equal(runs.b, 0, 'the follower never ran the task');
      assert.equal(b.isLeader(), false, 'the follower kept retrying without taking the held lock');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('a leader whose connection is killed steps down at once; the other takes over on its next retry', async () => {
    const server = fakeServer();
    const { log, lines } = capture();
    const runs = { a: 0, b: 0 };
    // A re-tries only after a minute: the take-over can only be B's.
    const a = createLeader({
      db: { kind: 'postgres' },
      log,
      name: 'kill',
      retryMs: 60_000,
      openSession: server.open,
    });
    const b = createLeader({
      db: { kind: 'postgres' },
      log,
      name: 'kill',
      retryMs: 10,
      openSession: server.open,
    });
    a.every('count', 5, async () => {
      runs.a++;
    });
    b.every('count', 5, async () => {
      runs.b++;
    });
    try {
      await a.start();
      await b.start();
      await waitFor('A runs its task', () => runs.a >= 2);
      const held = server.holder('kill');
      assert.ok(held);
      server.terminate(held);
      assert.equal(a.isLeader(), false, 'demoted as soon as the connection dropped');
      const runsOfA = runs.a;
      await waitFor('B leads', () => b.isLeader());
      await waitFor('B runs its task', () => runs.b >= 2);
      assert.equal(runs.a, runsOfA, 'A ran nothing after losing the lock');
      assert.equal(a.isLeader(), false);
      assert.ok(
        lines.some((l) => l.level === 'warn' && l.reason === 'the lock connection was lost'),
        'the loss is logged as a warning',
      );
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('stop() waits for the running task, then releases the lock for the other instance', async () => {
    const server = fakeServer();
    const { log } = capture();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    const a = createLeader({
      db: { kind: 'postgres' },
      log,
      name: 'handover',
      retryMs: 10,
      openSession: server.open,
    });
    const b = createLeader({
      db: { kind: 'postgres' },
      log,
      name: 'handover',
      retryMs: 10,
      openSession: server.open,
    });
    let started = false;
    a.every('slow', 5, async () => {
      started = true;
      await gate;
      finished = true;
    });
    try {
      await a.start();
      await b.start();
      await waitFor('the slow task started', () => started);
      const stopping = a.stop();
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(server.holder('handover'), 'the lock is kept while the task runs');
      assert.equal(b.isLeader(), false);
      release();
      await stopping;
      assert.equal(finished, true, 'stop() resolved after the task ended');
      await waitFor('B takes over', () => b.isLeader());
    } finally {
      release();
      await a.stop();
      await b.stop();
    }
  });

  test('a task never overlaps itself, and its errors are logged, not thrown', async () => {
    const { log, lines } = capture();
    const leader = createLeader({ db: { kind: 'pglite' }, log, name: 'serial' });
    let active = 0;
    let most = 0;
    let runs = 0;
    leader.every('flaky', 1, async () => {
      active++;
      most = Math.max(most, active);
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      active--;
      if (runs % 2 === 1) throw new Error('sweep failed');
    });
    try {
      await leader.start();
      await waitFor('six runs', () => runs >= 6);
    } finally {
      await leader.stop();
    }
    assert.equal(most, 1, 'never two runs at once');
    const failures = lines.filter((l) => l.msg === 'periodic task failed');
    assert.ok(failures.length >= 3, 'each failure is logged');
    assert.ok(failures.every((l) => l.level === 'error' && l.task === 'flaky'));
  });

  test('an unreachable database is retried until the lock connection opens', async () => {
    const server = fakeServer();
    const { log, lines } = capture();
    server.down = true;
    const leader = createLeader({
      db: { kind: 'postgres' },
      log,
      name: 'late',
      retryMs: 10,
      openSession: server.open,
    });
    try {
      await leader.start();
      assert.equal(leader.isLeader(), false);
      await waitFor('a failed attempt is logged', () =>
        lines.some((l) => l.msg.startsWith('cannot open the leader lock connection')),
      );
      server.down = false;
      await waitFor('leads once the database answers', () => leader.isLeader());
    } finally {
      await leader.stop();
    }
    assert.equal(server.holder('late'), undefined, 'stop() released the lock');
    assert.ok(
      server.sessions.every((s) => !s.alive),
      'and closed its connection',
    );
  });
});
