import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueAccessToken, RESOURCES } from '../../sandbox/entra/access-tokens.ts';
import { createFaultEngine, PROFILES } from '../../sandbox/faults/index.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { TenantState } from '../../sandbox/state/types.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

// biome-ignore lint/suspicious/noExplicitAny: Graph JSON bodies, asserted field by field.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sb: TestSandbox;
let tenant: TenantState;
let bearer: string;
let teamId: string;
let otherTeamId: string;

async function faults(
  method: 'GET' | 'PUT' = 'GET',
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await sb.fetch('/sandbox/api/faults', {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function graph(method: string, path: string, body?: unknown) {
  const started = performance.now();
  const res = await sb.fetch(`/v1.0${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    json: (text ? JSON.parse(text) : {}) as Json,
    ms: performance.now() - started,
  };
}

async function teamNamed(name: string): Promise<string> {
  const res = await graph('GET', `/groups?$filter=displayName eq '${name}'&$select=id`);
  assert.equal(res.status, 200);
  return res.json.value[0].id as string;
}

before(async () => {
  sb = await startTestSandbox({ faults: 'none' });
  const found = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  tenant = found;
  bearer = (
    await issueAccessToken(sb.sandbox.ctx, {
      tenant,
      clientId: TRELLIS_CLIENT_ID,
      audience: RESOURCES.graph.uri,
      roles: ['Group.ReadWrite.All', 'User.Read.All', 'Channel.Create'],
    })
  ).token;
  teamId = await teamNamed('Marketing');
  otherTeamId = await teamNamed('Engineering');
});

after(async () => {
  await sb?.close();
});

beforeEach(async () => {
  assert.equal((await faults('PUT', { profile: 'none' })).status, 200);
});

describe('runtime control', () => {
  test('profiles switch at runtime and report their settings and counters', async () => {
    const initial = await faults();
    assert.equal(initial.status, 200);
    assert.equal(initial.json.profile, 'none');
    assert.deepEqual(initial.json.profiles, ['none', 'realistic', 'strict']);
    assert.deepEqual(initial.json.settings, PROFILES.none);
    const strict = await faults('PUT', { profile: 'strict' });
    assert.equal(strict.json.profile, 'strict');
    assert.equal(strict.json.customized, false);
    assert.deepEqual((await faults()).json.settings, PROFILES.strict);
    assert.equal(sb.sandbox.ctx.faults.profile, 'strict');
    const realistic = await faults('PUT', { profile: 'realistic', seed: 99 });
    assert.equal(realistic.json.settings.seed, 99);
    assert.equal(realistic.json.settings.replicationLag.minMs, 2000);
    const custom = await faults('PUT', { latency: { distribution: 'fixed', minMs: 5, maxMs: 5 } });
    assert.equal(custom.json.profile, 'realistic');
    assert.equal(custom.json.customized, true);
    assert.equal(custom.json.settings.latency.distribution, 'fixed');
    assert.equal(custom.json.settings.throttling.enabled, true, 'other realistic settings stay');
    await graph('GET', '/users?$top=1');
    const after = await faults();
    assert.equal(after.json.counters.requests, 1, 'Graph requests are counted, fault API calls are not');
  });

  test('bad settings answer 400 and change nothing', async () => {
    await faults('PUT', { profile: 'strict' });
    const bad: unknown[] = [
      { profile: 'chaos' },
      { transient: { rate: 2 } },
      { transient: { statuses: [418] } },
      { transient: { statuses: [] } },
      { latency: { distribution: 'fixed', minMs: 10, maxMs: 5 } },
      { latency: { distribution: 'lognormal' } },
      { throttling: { factor: 0 } },
      { throttling: { enabled: 'yes' } },
      { replicationLag: { minMs: -1 } },
      { seed: 1.5 },
      { sparkles: true },
      { latency: { jitter: 3 } },
      [],
      'strict',
    ];
    for (const body of bad) {
      const res = await faults('PUT', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error.code, 'BadRequest');
      assert.ok(res.json.error.message.length > 0);
    }
    const now = await faults();
    assert.equal(now.json.profile, 'strict');
    assert.deepEqual(now.json.settings, PROFILES.strict);
  });

  test('an unknown profile at start names the ones there are', () => {
    assert.throws(() => createFaultEngine('chaos'), /none, realistic, strict/);
  });
});

describe('transient errors', () => {
  const chaos = (seed: number) => ({
    profile: 'none',
    seed,
    transient: {
      rate: 0.5,
      statuses: [500, 502, 503, 504],
      retryAfterSeconds: 2,
      maxConsecutive: 10,
      afterCommitShare: 0,
    },
  });
  async function run(): Promise<{ statuses: number[]; retryAfters: (string | null)[] }> {
    const statuses: number[] = [];
    const retryAfters: (string | null)[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await graph('GET', '/users?$top=1&$select=id');
      statuses.push(res.status);
      retryAfters.push(res.retryAfter);
      if (res.status >= 500) {
        assert.ok(
          ['InternalServerError', 'BadGateway', 'ServiceUnavailable', 'GatewayTimeout'].includes(
            res.json.error.code,
          ),
        );
        assert.ok(res.json.error.innerError['request-id']);
      }
    }
    return { statuses, retryAfters };
  }

  test('the same seed gives the same sequence of faults; another seed another one', async () => {
    await faults('PUT', chaos(7));
    const first = await run();
    await faults('PUT', chaos(7));
    const second = await run();
    assert.deepEqual(second.statuses, first.statuses);
    const failures = first.statuses.filter((s) => s >= 500).length;
    assert.ok(failures >= 8 && failures <= 32, `${failures} failures of 40`);
    assert.ok(new Set(first.statuses.filter((s) => s >= 500)).size >= 3, 'several kinds of 5xx');
    first.statuses.forEach((status, i) => {
      const retryAfter = first.retryAfters[i];
      if (status === 503 || status === 504) assert.equal(retryAfter, '2');
      else assert.equal(retryAfter, null);
    });
    const counters = (await faults()).json.counters;
    assert.equal(counters.transient, failures);
    assert.equal(
      Object.values(counters.transientByStatus as Record<string, number>).reduce((a, b) => a + b, 0),
      failures,
    );
    await faults('PUT', chaos(8));
    const other = await run();
    assert.notDeepEqual(other.statuses, first.statuses);
  });

  test('maxConsecutive lets a retried call through', async () => {
    await faults('PUT', {
      profile: 'none',
      transient: { rate: 1, statuses: [503], retryAfterSeconds: 1, maxConsecutive: 2, afterCommitShare: 0 },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await graph('GET', `/teams/${teamId}`)).status);
    assert.deepEqual(statuses, [503, 503, 200]);
  });

  test('an after-commit 504 applied the write: a blind retry then conflicts', async () => {
    await faults('PUT', {
      profile: 'none',
      transient: { rate: 1, statuses: [504], retryAfterSeconds: 1, maxConsecutive: 1, afterCommitShare: 1 },
    });
    const name = `Timeout ${randomUUID().slice(0, 8)}`;
    const first = await graph('POST', `/teams/${teamId}/channels`, { displayName: name });
    assert.equal(first.status, 504);
    assert.equal(first.retryAfter, '1');
    assert.equal(first.json.error.code, 'GatewayTimeout');
    const retry = await graph('POST', `/teams/${teamId}/channels`, { displayName: name });
    assert.equal(retry.status, 409, 'the first attempt created the channel');
    const counters = (await faults()).json.counters;
    assert.equal(counters.transientAfterCommit, 1);
    await faults('PUT', { profile: 'none' });
    const listed = await graph('GET', `/teams/${teamId}/channels?$filter=displayName eq '${name}'`);
    assert.equal(listed.json.value.length, 1);
  });
});

describe('throttling', () => {
  test("Graph's per-team limit (4 rps per app, × factor) answers 429 with Retry-After; honoured, the window recovers", async () => {
    await faults('PUT', { profile: 'none', throttling: { enabled: true, factor: 0.25 } });
    // 4 rps × 0.25: one request a second on a team.
    const first = await graph('GET', `/teams/${teamId}`);
    assert.equal(first.status, 200);
    const throttled = await graph('GET', `/teams/${teamId}`);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.error.code, 'TooManyRequests');
    assert.equal(throttled.json.error.message, 'Please retry again later.');
    assert.equal(throttled.retryAfter, '1');
    const impatient = await graph('GET', `/teams/${teamId}/channels`);
    assert.equal(impatient.status, 429, 'retrying before Retry-After is throttled again');
    const elsewhere = await graph('GET', `/teams/${otherTeamId}`);
    assert.equal(elsewhere.status, 200, 'another team has its own limit');
    await sleep(Number(throttled.retryAfter) * 1000 + 50);
    const recovered = await graph('GET', `/teams/${teamId}`);
    assert.equal(recovered.status, 200);
    const counters = (await faults()).json.counters;
    assert.equal(counters.throttled, 2);
    assert.equal(counters.throttledByLimit['teams: 4 requests per second per app on a team'], 2);
  });

  test('directory reads count resource units per app and tenant', async () => {
    // 3500 units / 10 s × 0.001 = 3.5 units; GET /users costs 2.
    await faults('PUT', { profile: 'none', throttling: { enabled: true, factor: 0.001 } });
    assert.equal((await graph('GET', '/users?$top=1')).status, 200);
    const second = await graph('GET', '/users?$top=1');
    assert.equal(second.status, 429);
    assert.ok(Number(second.retryAfter) >= 1);
    const counters = (await faults()).json.counters;
    assert.equal(counters.throttledByLimit['identity: resource units per app and tenant'], 1);
  });

  test('profile none never throttles', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await graph('GET', `/teams/${teamId}`)).status, 200);
    assert.equal((await faults()).json.counters.throttled, 0);
  });
});

describe('latency and replication lag', () => {
  test('a fixed latency delays every Graph answer', async () => {
    await faults('PUT', { profile: 'none', latency: { distribution: 'fixed', minMs: 120, maxMs: 120 } });
    const res = await graph('GET', '/users?$top=1');
    assert.equal(res.status, 200);
    assert.ok(res.ms >= 115, `${res.ms} ms`);
    const counters = (await faults()).json.counters;
    assert.equal(counters.latencyMs.total, 120);
    await faults('PUT', { profile: 'none', latency: { distribution: 'uniform', minMs: 0, maxMs: 10 } });
    for (let i = 0; i < 5; i++) await graph('GET', '/users?$top=1');
    const uniform = (await faults()).json.counters.latencyMs;
    assert.ok(uniform.max <= 10);
  });

  test('a new group answers 404 to team creation for the configured lag, then the call succeeds', async () => {
    await faults('PUT', { profile: 'none', replicationLag: { minMs: 300, maxMs: 300 } });
    const owner = tenant.directory.users[0]?.id;
    const user =
      owner ??
      (() => {
        const id = randomUUID();
        tenant.directory.users.push({
          id,
          userPrincipalName: `lag@${tenant.domain}`,
          mail: `lag@${tenant.domain}`,
          displayName: 'Lag Owner',
          givenName: 'Lag',
          surname: 'Owner',
          jobTitle: null,
          department: null,
          country: null,
          officeLocation: null,
          usageLocation: null,
          preferredLanguage: null,
          managerId: null,
          accountEnabled: true,
          userType: 'Member',
          createdDateTime: new Date().toISOString(),
        });
        return id;
      })();
    const group = await graph('POST', '/groups', {
      displayName: 'Lag test',
      mailNickname: `lag${randomUUID().slice(0, 6)}`,
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ['Unified'],
      'owners@odata.bind': [`https://graph.microsoft.com/v1.0/users/${user}`],
    });
    assert.equal(group.status, 201);
    const started = Date.now();
    let attempts = 0;
    let status = 0;
    while (status !== 202) {
      attempts++;
      status = (
        await graph('POST', '/teams', {
          'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
          'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${group.json.id}')`,
        })
      ).status;
      if (status === 404) await sleep(60);
      else assert.equal(status, 202);
    }
    assert.ok(Date.now() - started >= 280, 'the lag held');
    assert.ok(attempts >= 3);
    assert.equal((await faults()).json.counters.replicationLag, attempts - 1);
  });
});
