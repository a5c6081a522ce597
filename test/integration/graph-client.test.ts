import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Agent, type Dispatcher } from 'undici';
import { issueAccessToken, RESOURCES } from '../../sandbox/entra/access-tokens.ts';
import {
  CONTOSO_TENANT_ID,
  FABRIKAM_TENANT_ID,
  TRELLIS_CLIENT_ID,
} from '../../sandbox/state/seed-contoso.ts';
import type { TenantState } from '../../sandbox/state/types.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors/index.ts';
import {
  createGraphClient,
  type GraphClient,
  GraphError,
  type GraphTokenProvider,
} from '../../src/graph/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { sandboxEnv } from '../helpers/provisioning.ts';
import { sandboxFaults, startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

/*
 * The one Graph client against the in-process sandbox: real MSAL tokens (client credentials) over the
 * sandbox CA, paging, Retry-After, transient failures, look-before-create, typed errors, and logs that
 * never carry a token.
 */

type Json = Record<string, unknown>;

let sb: TestSandbox;
let tenant: TenantState;
let dir: string;
let config: Config;
let secret: string;
const logs: Json[] = [];
const clients: GraphClient[] = [];

function client(
  options: { retry?: Parameters<typeof createGraphClient>[0]['retry']; tokens?: GraphTokenProvider } = {},
) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Json);
      done();
    },
  });
  const graph = createGraphClient({
    config,
    log: createLogger('debug', sink),
    retry: { baseDelayMs: 20, maxDelayMs: 100, ...options.retry },
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  clients.push(graph);
  return graph;
}

const faults = (body?: unknown) => sandboxFaults<Json>(sb, body);

async function counters(): Promise<{ requests: number; throttled: number; transient: number }> {
  return (await faults()).counters as { requests: number; throttled: number; transient: number };
}

before(async () => {
  sb = await startTestSandbox({ faults: 'none', persist: false });
  const found = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  tenant = found;
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-graph-'));
  const env = sandboxEnv(sb);
  secret = env.M365_CLIENT_SECRET ?? '';
  config = loadConfig({ DATA_DIR: dir, ...env });
});

after(async () => {
  for (const c of clients) await c.close();
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await faults({ profile: 'none' });
});

describe('Graph client', () => {
  test('gets an app-only token through MSAL and pages across @odata.nextLink', async () => {
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const before = await counters();
    const users = await graph.all<Json>('/users', { select: ['id', 'displayName'], top: 7 });
    const after = await counters();
    assert.equal(users.length, tenant.directory.users.length);
    assert.equal(new Set(users.map((u) => u.id)).size, users.length, 'no user twice');
    assert.deepEqual(Object.keys(users[0] ?? {}).sort(), ['displayName', 'id']);
    assert.equal(after.requests - before.requests, Math.ceil(users.length / 7), 'one Graph call per page');
  });

  test('a list can stop early without reading the remaining pages', async () => {
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const before = await counters();
    const some = await graph.all<Json>('/users', { select: ['id'], top: 5 }, { max: 7 });
    assert.equal(some.length, 7);
    assert.equal((await counters()).requests - before.requests, 2);
  });

  test('a 429 is retried after its Retry-After, and the wait really happened', async () => {
    // ~1 request per second after a burst of ten: the eleventh call is throttled with Retry-After: 1.
    await faults({ throttling: { enabled: true, factor: 0.003 } });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const ids = tenant.directory.users.slice(0, 12).map((u) => u.id);
    const durations: number[] = [];
    for (const id of ids) {
      const started = performance.now();
      const user = await graph.request<Json>('GET', `/users/${id}`, { query: { select: ['id'] } });
      durations.push(performance.now() - started);
      assert.equal(user.id, id);
    }
    const { throttled } = await counters();
    assert.ok(throttled >= 1, 'the sandbox throttled at least once');
    const slow = durations.filter((d) => d >= 950);
    assert.ok(
      slow.length >= 1,
      `a throttled call waited its Retry-After (${durations.map(Math.round).join(', ')} ms)`,
    );
    assert.ok(Math.max(...durations) < 5000, 'no wait beyond what Graph asked');
    const retried = logs.filter((l) => l.msg === 'Graph call retried' && (l.graph as Json).status === 429);
    assert.ok(retried.length >= 1);
    assert.equal((retried[0]?.graph as Json).delayMs, 1000, 'Retry-After (seconds) became the delay');
  });

  test('a Retry-After beyond the call budget is handed to the caller at once', async () => {
    // 3.5 requests of burst, then one every ~3 s: Retry-After soon exceeds a 500 ms budget.
    await faults({ throttling: { enabled: true, factor: 0.001 } });
    const graph = client({ retry: { maxTotalMs: 500 } }).forTenant(CONTOSO_TENANT_ID);
    const id = tenant.directory.users[0]?.id ?? '';
    let failure: unknown;
    let elapsed = 0;
    for (let i = 0; i < 10 && failure === undefined; i++) {
      const started = performance.now();
      await graph.request('GET', `/users/${id}`).catch((e: unknown) => {
        failure = e;
      });
      elapsed = performance.now() - started;
    }
    assert.ok(failure instanceof GraphError, 'throttled before ten calls');
    assert.equal(failure.status, 429);
    assert.equal(failure.graphCode, 'TooManyRequests');
    assert.equal(failure.code, ErrorCode.Unavailable);
    assert.ok((failure.retryAfterMs ?? 0) >= 1000, `retryAfterMs ${failure.retryAfterMs}`);
    assert.ok(failure.requestId);
    assert.equal(failure.headers?.['retry-after'], String(Math.ceil((failure.retryAfterMs ?? 0) / 1000)));
    assert.ok(elapsed < 500, `did not sleep on a wait it could not afford (${Math.round(elapsed)} ms)`);
  });

  test('cancelling a call stops its wait for Retry-After', async () => {
    await faults({
      transient: { rate: 1, statuses: [503], maxConsecutive: 3, retryAfterSeconds: 5, afterCommitShare: 0 },
    });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      graph.request('GET', '/users', { signal: controller.signal }),
      (e: unknown) => e instanceof GraphError && e.graphCode === 'Aborted',
    );
    assert.ok(performance.now() - started < 2000, 'did not sit out the 5 s Retry-After');
  });

  test('transient 5xx on a GET are retried with backoff until it succeeds', async () => {
    await faults({
      transient: { rate: 1, statuses: [502], maxConsecutive: 2, retryAfterSeconds: 1, afterCommitShare: 0 },
    });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const before = await counters();
    const group = tenant.directory.groups[0];
    assert.ok(group);
    const read = await graph.request<Json>('GET', `/groups/${group.id}`, {
      query: { select: ['id', 'displayName'] },
    });
    assert.equal(read.displayName, group.displayName);
    const after = await counters();
    assert.equal(after.transient - before.transient, 2);
    assert.equal(after.requests - before.requests, 3);
  });

  test('a POST that failed with a doubtful 5xx is not resent blindly', async () => {
    await faults({
      transient: { rate: 1, statuses: [500], maxConsecutive: 1, retryAfterSeconds: 1, afterCommitShare: 0 },
    });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const nickname = `nopost${randomUUID().slice(0, 8)}`;
    const before = await counters();
    await assert.rejects(
      graph.request('POST', '/groups', { body: groupBody(nickname) }),
      (e: unknown) => e instanceof GraphError && e.status === 500 && e.code === ErrorCode.Unavailable,
    );
    assert.equal((await counters()).requests - before.requests, 1, 'sent once');
    assert.equal(tenant.directory.groups.filter((g) => g.mailNickname === nickname).length, 0);
  });

  test('with a look-before-create hook, a POST applied before its 500 is found, not duplicated', async () => {
    await faults({
      transient: { rate: 1, statuses: [500], maxConsecutive: 1, retryAfterSeconds: 1, afterCommitShare: 1 },
    });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const nickname = `lookfirst${randomUUID().slice(0, 8)}`;
    let looked = 0;
    const created = await graph.request<Json>('POST', '/groups', {
      body: groupBody(nickname),
      findExisting: async () => {
        looked++;
        const found = await graph.all<Json>('/groups', {
          filter: `mailNickname eq '${nickname}'`,
          select: ['id', 'mailNickname'],
        });
        return found[0];
      },
    });
    assert.equal(looked, 1);
    assert.equal(created.mailNickname, nickname);
    assert.equal(
      tenant.directory.groups.filter((g) => g.mailNickname === nickname).length,
      1,
      'exactly one group',
    );
  });

  test('a POST the caller marks idempotent is resent after a doubtful 5xx', async () => {
    await faults({
      transient: { rate: 1, statuses: [504], maxConsecutive: 1, retryAfterSeconds: 1, afterCommitShare: 0 },
    });
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    const nickname = `idem${randomUUID().slice(0, 8)}`;
    const started = performance.now();
    const created = await graph.request<Json>('POST', '/groups', {
      body: groupBody(nickname),
      idempotent: true,
    });
    assert.equal(created.mailNickname, nickname);
    assert.ok(performance.now() - started >= 950, "the 504's Retry-After was honoured");
  });

  test('a 404 is a typed GraphError with Graph code and request id', async () => {
    const graph = client().forTenant(CONTOSO_TENANT_ID);
    await assert.rejects(graph.request('GET', `/users/${randomUUID()}`), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 404);
      assert.equal(e.graphCode, 'Request_ResourceNotFound');
      assert.equal(e.code, ErrorCode.NotFound);
      assert.equal(e.httpStatus, 404);
      assert.match(e.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(e.details?.graphRequestId, e.requestId);
      return true;
    });
  });

  test('a 403 (missing permission) is a typed GraphError, not retried', async () => {
    const tokens: GraphTokenProvider = {
      getToken: async () =>
        (
          await issueAccessToken(sb.sandbox.ctx, {
            tenant,
            clientId: TRELLIS_CLIENT_ID,
            audience: RESOURCES.graph.uri,
            roles: [],
          })
        ).token,
    };
    const graph = client({ tokens }).forTenant(CONTOSO_TENANT_ID);
    const before = await counters();
    await assert.rejects(graph.request('GET', '/users'), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 403);
      assert.equal(e.graphCode, 'Authorization_RequestDenied');
      assert.equal(e.code, ErrorCode.Forbidden);
      assert.ok(e.requestId);
      return true;
    });
    assert.equal((await counters()).requests - before.requests, 1);
  });

  test('a tenant without admin consent fails with a typed error naming the AADSTS code', async () => {
    const graph = client().forTenant(FABRIKAM_TENANT_ID);
    await assert.rejects(graph.request('GET', '/users'), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 401);
      assert.equal(e.code, ErrorCode.Forbidden);
      assert.match(e.message, /AADSTS65001/);
      return true;
    });
  });

  test('a 302 download is followed without the bearer token', async () => {
    const seen: { path: string; authorized: boolean }[] = [];
    // Records what the client sends, then sends it through an agent trusting the sandbox CA.
    class Recording extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        const headers = options.headers;
        const names = Array.isArray(headers)
          ? headers.filter((_, i) => i % 2 === 0).map(String)
          : Object.keys(headers ?? {});
        seen.push({ path: options.path, authorized: names.some((n) => n.toLowerCase() === 'authorization') });
        return super.dispatch(options, handler);
      }
    }
    const dispatcher = new Recording({ connect: { ca: sb.caCert } });
    const graph = createGraphClient({ config, log: createLogger('silent'), dispatcher });
    clients.push(graph);
    try {
      const csv = await graph
        .forTenant(CONTOSO_TENANT_ID)
        .request<string>('GET', "/reports/getTeamsTeamActivityDetail(period='D7')", { responseType: 'text' });
      assert.match(csv, /Team Name/);
    } finally {
      await dispatcher.close();
    }
    assert.equal(seen.length, 2, 'the report call and its redirect');
    assert.equal(seen[0]?.authorized, true);
    assert.match(seen[0]?.path ?? '', /^\/v1\.0\/reports\//);
    assert.equal(seen[1]?.authorized, false, 'the pre-authenticated download gets no bearer token');
    assert.doesNotMatch(seen[1]?.path ?? '', /^\/v1\.0\//);
  });

  test('network failures of a GET are retried a bounded number of times, then typed', async () => {
    const closed = loadConfig({ ...envOf(config), GRAPH_BASE_URL: 'https://127.0.0.1:9' });
    const graph = createGraphClient({
      config: closed,
      log: createLogger('silent'),
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
      tokens: { getToken: async () => 'not-a-real-token' },
    });
    clients.push(graph);
    await assert.rejects(graph.forTenant(CONTOSO_TENANT_ID).request('GET', '/users'), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 0);
      assert.equal(e.graphCode, 'NetworkError');
      assert.equal(e.code, ErrorCode.Unavailable);
      return true;
    });
  });

  test('no log line carries a token, an Authorization header or the client secret', () => {
    assert.ok(logs.length > 0, 'the client did log');
    const text = JSON.stringify(logs);
    assert.doesNotMatch(text, /eyJ[\w-]+\.[\w-]+\./, 'no JWT');
    assert.doesNotMatch(text, /bearer /i);
    assert.doesNotMatch(text, /authorization/i);
    assert.ok(!text.includes(secret), 'no client secret');
  });
});

function groupBody(mailNickname: string): Json {
  return {
    displayName: `Graph client ${mailNickname}`,
    mailNickname,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
  };
}

function envOf(c: Config): Record<string, string> {
  return {
    DATA_DIR: c.dataDir,
    M365_TENANT_ID: c.m365.tenantId ?? '',
    M365_CLIENT_ID: c.m365.clientId ?? '',
    M365_CLIENT_SECRET: c.m365.clientSecret ?? '',
    M365_AUTHORITY_HOST: c.m365.authorityHost,
    M365_CA_FILE: c.m365.caFile ?? '',
  };
}
