import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createLeader, LEADER_APPLICATION_NAME, type Leader } from '../../src/runtime/leader.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { createTestDatabase } from './postgres.ts';

// The cluster leader on a real PostgreSQL: one session-level advisory lock per name, lost with its
// connection, so another instance takes over when the leader stops or its connection is killed.

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: pg.Client;
const leaders: Leader[] = [];
const log = createLogger('silent');

before(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});

after(async () => {
  for (const leader of leaders) await leader.stop();
  await admin?.end();
  await db?.drop();
});

/** A leader on the test database whose task counts its runs. */
function instance(name: string, retryMs: number): { leader: Leader; runs: () => number } {
  const leader = createLeader({ db: { kind: 'postgres' }, url: db.url, log, name, retryMs });
  leaders.push(leader);
  let runs = 0;
  leader.every('count', 20, async () => {
    runs++;
  });
  return { leader, runs: () => runs };
}

/** Backends of this database holding an advisory lock through a leader connection. */
async function holders(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and a.datname = current_database()
        and a.application_name = $1`,
    [LEADER_APPLICATION_NAME],
  );
  return rows.map((r) => r.pid);
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('two instances on the same lock name: exactly one leads, and the periodic task runs on it only', async () => {
  const a = instance('pair', 100);
  const b = instance('pair', 100);
  await a.leader.start();
  await b.leader.start();
  assert.equal(a.leader.isLeader(), true);
  assert.equal(b.leader.isLeader(), false);
  assert.equal((await holders()).length, 1, 'one backend holds the lock');
  await waitFor('the leader runs its task', () => a.runs() >= 5);
  // B has retried many times meanwhile (every 100 ms) without getting the lock.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(b.leader.isLeader(), false);
  assert.equal(b.runs(), 0, 'the follower never ran the task');

  // A different name is another election: its instance leads beside the first.
  const other = instance('other', 100);
  await other.leader.start();
  assert.equal(other.leader.isLeader(), true);
  assert.equal((await holders()).length, 2);
  await other.leader.stop();

  await a.leader.stop();
  await b.leader.stop();
  assert.deepEqual(await holders(), [], 'stopping released every lock');
});

test("killing the leader's connection (pg_terminate_backend): it steps down and the other takes over", async () => {
  // A retries only after a minute, so the take-over can only be B's (every 100 ms).
  const a = instance('kill', 60_000);
  const b = instance('kill', 100);
  await a.leader.start();
  await b.leader.start();
  assert.equal(a.leader.isLeader(), true);
  await waitFor('A runs its task', () => a.runs() >= 2);
  const [pid] = await holders();
  assert.ok(pid);
  await admin.query('select pg_terminate_backend($1)', [pid]);
  await waitFor('A steps down', () => !a.leader.isLeader());
  const runsOfA = a.runs();
  await waitFor('B leads', () => b.leader.isLeader());
  await waitFor('B runs the task', () => b.runs() >= 2);
  assert.equal(a.runs(), runsOfA, 'A ran nothing once demoted');
  const now = await holders();
  assert.equal(now.length, 1);
  assert.notEqual(now[0], pid, "the holder is B's connection");
  await a.leader.stop();
  await b.leader.stop();
});

test('stopping the leader hands over to the other instance within its retry interval', async () => {
  const a = instance('handover', 100);
  const b = instance('handover', 100);
  await a.leader.start();
  await b.leader.start();
  assert.equal(a.leader.isLeader(), true);
  await a.leader.stop();
  assert.equal(a.leader.isLeader(), false);
  await waitFor('B leads', () => b.leader.isLeader());
  await waitFor('B runs the task', () => b.runs() >= 1);
  await b.leader.stop();
});
