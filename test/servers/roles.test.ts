import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { API_SCOPES, type Caller } from '../../src/api/caller.ts';
import { loadConfig } from '../../src/config.ts';
import { createDomain, type Domain } from '../../src/runtime/domain.ts';
import { openServices } from '../../src/runtime/services.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { METADATA, sandboxEnv, upn } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { createTestDatabase } from './postgres.ts';

// `trellis start --role web|worker|all` on a shared PostgreSQL: a web instance serves HTTP and runs
// no job; the work it leaves waits in PostgreSQL until a worker instance takes it.

const CLI = path.join(process.cwd(), 'src', 'cli', 'index.ts');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sb: TestSandbox;
let dataDir: string;
let env: Record<string, string>;
let domain: Domain;
let close: () => Promise<void>;
const children: ChildProcess[] = [];

before(async () => {
  db = await createTestDatabase();
  sb = await startTestSandbox({ faults: 'none' });
  dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-roles-'));
  env = {
    ...sandboxEnv(sb),
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PORT: '0',
    ENV_FILE: '',
  };
  const config = loadConfig(env);
  const services = await openServices(config, { migrate: true });
  domain = await createDomain({ config, log: createLogger('warn'), ...services });
  // This process only writes: it enqueues, like a web instance.
  await domain.start({ workers: false });
  close = async () => {
    await domain.stop();
    await services.close();
  };
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
  );
  await close?.();
  await sb?.close();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function start(
  role: string,
  extraEnv: Record<string, string> = env,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, 'start', '--role', role], {
    env: { PATH: process.env.PATH, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, output: () => out };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

test(
  'a web instance serves and runs no job; a worker instance takes the work it left',
  { timeout: 240_000 },
  async () => {
    const web = start('web');
    const url = await waitFor(
      'web instance listening',
      async () => /"url":"(https:\/\/localhost:\d+)"/.exec(web.output())?.[1],
    );
    const dispatcher = new Agent({
      connect: { ca: await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8') },
    });
    try {
      await waitFor('web instance ready', async () => {
        const res = await request(`${url}/readyz`, { dispatcher }).catch(() => undefined);
        await res?.body.dump();
        return res?.statusCode === 200 ? true : undefined;
      });
      assert.match(web.output(), /"role":"web"/);
    } finally {
      await dispatcher.close();
    }

    const { tenantId: contoso } = await domain.identity.onboard({
      entraTenantId: CONTOSO_TENANT_ID,
      slug: 'contoso',
      displayName: 'Contoso',
      actor: { type: 'system', id: 'test', name: 'test' },
    });
    await domain.templates.seedStarterCatalog(contoso, { type: 'system', id: 'test', name: 'test' });
    const caller: Caller = {
      tenantId: contoso,
      kind: 'api_token',
      id: 'roles-test',
      displayName: 'roles test',
      roles: [],
      scopes: new Set(API_SCOPES),
    };
    let view = await domain.requests.create(caller, {
      template: 'project',
      name: 'Roles',
      requester: upn('adele.vance'),
      metadata: METADATA.project,
    });
    while (view.status === 'pending_approval')
      view = await domain.requests.approve(caller, view.requestId, {});
    assert.equal(view.status, 'approved');

    // Nobody runs jobs yet: the approval's event waits in PostgreSQL, no run is created.
    await new Promise((r) => setTimeout(r, 4_000));
    assert.equal(await domain.provisioning.runOf(contoso, view.requestId), null);

    start('worker');
    const run = await waitFor(
      'run completed by the worker',
      async () => {
        const current = await domain.provisioning.runOf(contoso, view.requestId);
        return current && ['completed', 'completed_with_drift', 'failed'].includes(current.status)
          ? current
          : undefined;
      },
      180_000,
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
  },
);

test('separate roles need PostgreSQL: on the embedded database they are refused with exit 2', async () => {
  const { DATABASE_URL: _omit, ...embedded } = env;
  for (const role of ['web', 'worker']) {
    const { child, output } = start(role, { ...embedded, DATA_DIR: path.join(dataDir, `embedded-${role}`) });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2, output());
    assert.match(output(), /DATABASE_URL/);
  }
});
