import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Db, openDatabase } from '../../src/db/index.ts';
import { createEventBus, type DomainEvent, type OutboxEventBus } from '../../src/events/index.ts';
import { createJobQueue, type JobQueue } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';

let dir: string;
let db: Db;
let jobs: JobQueue;
let bus: OutboxEventBus;
const tenantA = randomUUID();
const tenantB = randomUUID();
const seen: DomainEvent[] = [];
let durableFailures = 1;
const durableSeen: string[] = [];

async function until(predicate: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  assert.ok(predicate(), what);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-events-'));
  db = await openDatabase({ url: undefined, dataDir: dir });
  await db.migrate();
  for (const tenantId of [tenantA, tenantB]) {
    await db.withPlatform((tx) =>
      tx
        .insertInto('tenants')
        .values({ tenant_id: tenantId, slug: `ev-${tenantId.slice(0, 8)}`, display_name: 'Events' })
        .execute(),
    );
  }
  const log = createLogger('silent');
  jobs = createJobQueue({ db, log });
  bus = createEventBus({ db, jobs, log });
  bus.subscribe('*', (event) => {
    seen.push(event);
  });
  bus.subscribeDurable('test', async (event) => {
    if (event.type === 'request.rejected' && durableFailures-- > 0) throw new Error('transient');
    durableSeen.push(event.eventId);
  });
  await jobs.start();
});

after(async () => {
  await jobs.stop(2000);
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const publish = (
  tenantId: string,
  type: 'request.created' | 'request.rejected',
  subjectId = randomUUID(),
  data = {},
) =>
  db.withTenant(tenantId, (tx) =>
    bus.publish(tx, tenantId, { type, subject: { type: 'request', id: subjectId }, data }),
  );

test('a committed event reaches in-process subscribers within about a second', async () => {
  const started = Date.now();
  const event = await publish(tenantA, 'request.created', randomUUID(), { n: 1 });
  await until(() => seen.some((e) => e.eventId === event.eventId), 3000, 'event received');
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  const got = seen.find((e) => e.eventId === event.eventId);
  assert.deepEqual(got, event);
  const row = await db.withTenant(tenantA, (tx) =>
    tx
      .selectFrom('domain_events')
      .selectAll()
      .where('event_id', '=', event.eventId)
      .executeTakeFirstOrThrow(),
  );
  await until(() => durableSeen.includes(event.eventId), 3000, 'durable subscriber ran');
  assert.equal(row.type, 'request.created');
});

test('an event published in a rolled-back transaction does not exist and is never dispatched', async () => {
  const marker = randomUUID();
  await assert.rejects(
    db.withTenant(tenantA, async (tx) => {
      await bus.publish(tx, tenantA, {
        type: 'request.created',
        subject: { type: 'request', id: marker },
        data: {},
      });
      throw new Error('roll back');
    }),
    /roll back/,
  );
  const later = await publish(tenantA, 'request.created');
  await until(() => seen.some((e) => e.eventId === later.eventId), 3000, 'the later event arrived');
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(!seen.some((e) => e.subject.id === marker));
  const rows = await db.withTenant(tenantA, (tx) =>
    tx.selectFrom('domain_events').select('event_id').where('subject_id', '=', marker).execute(),
  );
  assert.equal(rows.length, 0);
});

test('events of one subject are delivered in the order they were published', async () => {
  const subject = randomUUID();
  const published: string[] = [];
  for (let n = 0; n < 8; n++)
    published.push((await publish(tenantA, 'request.created', subject, { n })).eventId);
  await until(() => seen.filter((e) => e.subject.id === subject).length >= 8, 10_000, 'all eight arrived');
  assert.deepEqual(
    seen.filter((e) => e.subject.id === subject).map((e) => e.eventId),
    published,
  );
});

test('a failing durable subscriber is retried; the event is delivered at least once', async () => {
  const event = await publish(tenantA, 'request.rejected');
  await until(() => durableSeen.includes(event.eventId), 15_000, 'the durable subscriber succeeded on retry');
  assert.ok(seen.some((e) => e.eventId === event.eventId));
});

test('events are tenant-scoped: another tenant cannot read them', async () => {
  const event = await publish(tenantA, 'request.created');
  const fromB = await db.withTenant(tenantB, (tx) =>
    tx.selectFrom('domain_events').select('event_id').where('event_id', '=', event.eventId).execute(),
  );
  assert.equal(fromB.length, 0);
});
