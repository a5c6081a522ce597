import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { type Caller, ROLE_SCOPES } from '../../src/api/caller.ts';
import { type Cache, createRedisCache } from '../../src/cache/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createDomain, type Domain } from '../../src/runtime/domain.ts';
import { openServices } from '../../src/runtime/services.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { addTestUser } from '../helpers/directory.ts';
import { sandboxEnv } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { createTestDatabase } from './postgres.ts';

// Two instances (Domains) on one PostgreSQL and one Redis, as behind a load balancer: catalog reads
// and directory look-ups one instance cached are served to the other from Redis, and a catalog change
// on either is seen by both at once.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
/** This file's own key space on the shared Redis: nothing left by other runs can answer for it. */
const PREFIX = `trellis-test:${randomUUID()}:`;
const ACTOR = { actor: { type: 'system' as const, id: 'shared-cache-test', name: 'test' } };

interface Instance {
  domain: Domain;
  close(): Promise<void>;
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sb: TestSandbox;
let dataDir: string;
let owner: pg.Client;
let a: Instance;
let b: Instance;
let tenantId: string;
/** Graph requests the sandbox received, as decoded paths. */
const graphRequests: string[] = [];

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const config = loadConfig(env);
  const services = await openServices(config, { migrate: true });
  const cache: Cache = createRedisCache(REDIS_URL, { prefix: PREFIX });
  const domain = await createDomain({ config, log: createLogger('warn'), ...services, cache });
  // Like web instances: they enqueue and read, no worker runs here.
  await domain.start({ workers: false });
  return {
    domain,
    async close() {
      await domain.stop();
      await cache.close();
      await services.close();
    },
  };
}

before(async () => {
  db = await createTestDatabase();
  sb = await startTestSandbox({ faults: 'none' });
  sb.sandbox.app.server.on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/v1.0/')) graphRequests.push(decodeURIComponent(req.url).toLowerCase());
  });
  dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-shared-cache-'));
  const env = {
    ...sandboxEnv(sb),
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: '0',
    ENV_FILE: '',
  };
  a = await startInstance(env);
  b = await startInstance(env);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  ({ tenantId } = await a.domain.identity.onboard({
    entraTenantId: CONTOSO_TENANT_ID,
    slug: 'contoso',
    displayName: 'Contoso',
    actor: ACTOR.actor,
  }));
  await a.domain.templates.seedStarterCatalog(tenantId, ACTOR.actor);
});

after(async () => {
  await a?.close();
  await b?.close();
  await owner?.end();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await sb?.close();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function contoso() {
  const tenant = sb.sandbox.ctx.store.state.tenants.find((t) => t.id === CONTOSO_TENANT_ID);
  assert.ok(tenant);
  return tenant;
}

/** A signed-in requester of Contoso, as the API would build it. */
function requester(userId: string): Caller {
  return {
    tenantId,
    kind: 'user',
    id: userId,
    displayName: null,
    roles: ['requester'],
    scopes: new Set(ROLE_SCOPES.requester),
    entraTenantId: CONTOSO_TENANT_ID,
  };
}

async function catalogSlugs(instance: Instance, caller: Caller): Promise<string[]> {
  const page = await instance.domain.templates.catalog(caller, {});
  return page.items.map((t) => t.slug).sort();
}

test('catalog reads cached by one instance serve the other; a change on either is seen by both at once', async () => {
  const templatesOf = (instance: Instance) => instance.domain.templates.list(tenantId, {});
  const seller = addTestUser(contoso(), 'Sally Seller', { department: 'Sales' });
  const tester = addTestUser(contoso(), 'Quinn Quality', { department: 'Quality' });

  // B reads first: the listing and two requesters' catalogs (audience applied after the cache).
  const listed = await templatesOf(b);
  const project = listed.items.find((t) => t.slug === 'project');
  assert.ok(project);
  assert.equal(project.name, 'Project');
  assert.deepEqual(await catalogSlugs(b, requester(seller.id)), ['event', 'project', 'sales-deal-room']);
  assert.deepEqual(await catalogSlugs(b, requester(tester.id)), ['project']);
  assert.equal((await b.domain.templates.get(tenantId, 'project')).name, 'Project');

  // Behind Trellis's back (no invalidation), the database changes: cached answers still show the
  // old name, on A too, which never read them before: they come from the shared Redis.
  await owner.query(
    `update templates set name = 'Renamed in SQL' where tenant_id = $1 and slug = 'project'`,
    [tenantId],
  );
  const fromCache = (await templatesOf(a)).items.find((t) => t.slug === 'project');
  assert.equal(fromCache?.name, 'Project', "A served B's cached listing");
  assert.equal((await a.domain.templates.get(tenantId, 'project')).name, 'Project');
  assert.equal((await b.domain.templates.get(tenantId, project.templateId)).status, 'active');

  // A archives the template through Trellis: B's very next reads show it.
  await a.domain.templates.setStatus(tenantId, project.templateId, 'archived', ACTOR);
  const archived = (await templatesOf(b)).items.find((t) => t.slug === 'project');
  assert.equal(archived?.status, 'archived');
  assert.equal(archived?.name, 'Renamed in SQL', 'read again from the database');
  assert.equal((await b.domain.templates.get(tenantId, 'project')).status, 'archived');
  assert.deepEqual(await catalogSlugs(b, requester(seller.id)), ['event', 'sales-deal-room']);
  assert.deepEqual(await catalogSlugs(b, requester(tester.id)), []);
  await assert.rejects(b.domain.templates.catalogEntry(requester(tester.id), 'project'), /not found/);

  // B restores it: A sees that at once too.
  await b.domain.templates.setStatus(tenantId, project.templateId, 'active', ACTOR);
  assert.deepEqual(await catalogSlugs(a, requester(tester.id)), ['project']);

  // A tenant metadata field created on A is listed by B, and offered by B's catalog entries.
  const before = await b.domain.templates.listFields(tenantId, {});
  assert.ok(!before.some((f) => f.key === 'budgetOwner'));
  await a.domain.templates.createField(
    tenantId,
    { key: 'budgetOwner', label: 'Budget owner', type: 'text', required: false, appliesTo: null },
    ACTOR,
  );
  const fields = await b.domain.templates.listFields(tenantId, {});
  assert.ok(fields.some((f) => f.key === 'budgetOwner'));
  const entry = await b.domain.templates.catalogEntry(requester(tester.id), 'project');
  assert.ok(entry.metadataFields.some((f) => f.key === 'budgetOwner'));
});

test('a directory look-up cached by one instance is served to the other from Redis, without Graph', async () => {
  const user = addTestUser(contoso(), 'Casey Cached');
  const upn = user.userPrincipalName.toLowerCase();
  const lookups = () => graphRequests.filter((p) => p.startsWith('/v1.0/users/') && p.includes(upn)).length;

  const onA = await a.domain.directory.forTenant(CONTOSO_TENANT_ID).getUser(upn);
  assert.equal(onA?.id, user.id);
  assert.equal(lookups(), 1, 'A asked Graph once');
  const onB = await b.domain.directory.forTenant(CONTOSO_TENANT_ID).getUser(upn);
  assert.deepEqual(onB, onA);
  assert.equal(lookups(), 1, 'B answered from the shared cache');
  // By object id too: A stored the answer under both keys.
  assert.deepEqual(await b.domain.directory.forTenant(CONTOSO_TENANT_ID).getUser(user.id), onA);
  assert.equal(graphRequests.filter((p) => p.includes(user.id.toLowerCase())).length, 0);
});
