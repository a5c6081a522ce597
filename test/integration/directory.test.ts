import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seededId } from '../../sandbox/state/seed-contoso.ts';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryGroup, TenantState } from '../../sandbox/state/types.ts';
import { createMemoryCache } from '../../src/cache/index.ts';
import { loadConfig } from '../../src/config.ts';
import {
  createDirectory,
  createGraphClient,
  type Directory,
  type GraphClient,
  GraphError,
  type TenantDirectory,
} from '../../src/graph/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { sandboxEnv } from '../helpers/provisioning.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

/*
 * The directory over the sandbox's Contoso tenant: users by id and UPN, the manager chain, transitive
 * groups and members (including a nested group), name-conflict search, the people-picker search, the
 * policy view, and the cache sparing Graph calls.
 */

let sb: TestSandbox;
let tenant: TenantState;
let dir: string;
let graph: GraphClient;
let directory: Directory;
let contoso: TenantDirectory;

const user = (nick: string) => seededId(`contoso:user:${nick}`);

/** The user's groups as the sandbox holds them, one level of nesting included. */
function expectedGroups(userId: string): DirectoryGroup[] {
  const direct = tenant.directory.groups.filter((g) => g.memberIds.includes(userId));
  const parents = tenant.directory.groups.filter((g) => direct.some((d) => g.memberIds.includes(d.id)));
  return [...new Set([...direct, ...parents])];
}

function groupNamed(name: string): DirectoryGroup {
  const group = tenant.directory.groups.find((g) => g.displayName === name);
  assert.ok(group, name);
  return group;
}

async function graphRequests(): Promise<number> {
  const res = await sb.fetch('/sandbox/api/faults');
  return ((await res.json()) as { counters: { requests: number } }).counters.requests;
}

before(async () => {
  sb = await startTestSandbox({ faults: 'none', persist: false });
  const found = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  tenant = found;
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-directory-'));
  const config = loadConfig({ DATA_DIR: dir, ...sandboxEnv(sb) });
  const log = createLogger('silent');
  graph = createGraphClient({ config, log, retry: { baseDelayMs: 20, maxDelayMs: 100 } });
  directory = createDirectory({ graph, cache: createMemoryCache(), log });
  contoso = directory.forTenant(CONTOSO_TENANT_ID);
});

after(async () => {
  await graph?.close();
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('directory over Graph', () => {
  test('reads a user by object id and by UPN (any case), with every DirectoryUser field', async () => {
    const byId = await contoso.getUser(user('johanna.lorenz'));
    assert.deepEqual(byId, {
      id: user('johanna.lorenz'),
      userPrincipalName: 'johanna.lorenz@contoso.onmicrosoft.com',
      displayName: 'Johanna Lorenz',
      mail: 'johanna.lorenz@contoso.onmicrosoft.com',
      givenName: 'Johanna',
      surname: 'Lorenz',
      jobTitle: 'Account Executive',
      department: 'Sales',
      country: 'DE',
      officeLocation: 'Munich',
      usageLocation: 'DE',
      companyName: null,
      preferredLanguage: byId?.preferredLanguage ?? null,
      userType: 'Member',
      accountEnabled: true,
    });
    const byUpn = await contoso.getUser('Johanna.Lorenz@CONTOSO.onmicrosoft.com');
    assert.equal(byUpn?.id, user('johanna.lorenz'));
    const disabled = await contoso.getUser('pat.kline@contoso.onmicrosoft.com');
    assert.equal(disabled?.accountEnabled, false);
    const guest = tenant.directory.users.find((u) => u.userType === 'Guest');
    assert.ok(guest);
    // A guest's UPN holds `#EXT#`: it must travel as one encoded path segment.
    assert.equal((await contoso.getUser(guest.userPrincipalName))?.userType, 'Guest');
  });

  test('unknown or malformed users are null; malformed ones never reach Graph', async () => {
    assert.equal(await contoso.getUser(randomUUID()), null);
    assert.equal(await contoso.getUser('nobody@contoso.onmicrosoft.com'), null);
    const before = await graphRequests();
    assert.equal(await contoso.getUser('../groups'), null);
    assert.equal(await contoso.getUser('megan.bowen'), null);
    assert.equal(await contoso.getUser(''), null);
    assert.deepEqual(await contoso.getUserGroups('x/y'), []);
    assert.equal(await graphRequests(), before);
  });

  test('walks the manager chain up to the CEO', async () => {
    const chain: string[] = [];
    let current = await contoso.getUser(user('adele.vance'));
    while (current) {
      chain.push(current.displayName);
      current = await contoso.getManager(current.id);
    }
    assert.deepEqual(chain, ['Adele Vance', 'Grady Archie', 'Lee Gu', 'Megan Bowen']);
    assert.equal(await contoso.getManager(randomUUID()), null);
  });

  test('transitive groups of a user, and transitive user members of a group', async () => {
    const groups = await contoso.getUserGroups(user('johanna.lorenz'));
    const names = groups.map((g) => g.displayName).sort();
    assert.deepEqual(
      names,
      expectedGroups(user('johanna.lorenz'))
        .map((g) => g.displayName)
        .sort(),
    );
    assert.ok(names.includes('All Company') && names.includes('Sales EMEA'));
    assert.ok(!names.includes('Marketing'));
    const leads = groupNamed('Engineering Leads');
    const members = await contoso.listGroupMembers(leads.id);
    assert.ok(members);
    assert.deepEqual(members.map((m) => m.id).sort(), [...leads.memberIds].sort());
    assert.ok(members.every((m) => m.department === 'Engineering'));
    assert.equal(await contoso.listGroupMembers(randomUUID()), null);
  });

  test('membership through a nested group counts', async () => {
    const sales = groupNamed('Sales EMEA');
    const parent: DirectoryGroup = {
      ...sales,
      id: randomUUID(),
      displayName: 'EMEA Leadership',
      mailNickname: `emealeadership${randomUUID().slice(0, 6)}`,
      mail: null,
      ownerIds: [user('megan.bowen')],
      memberIds: [sales.id, user('megan.bowen')],
    };
    tenant.directory.groups.push(parent);
    const fresh = createDirectory({
      graph,
      cache: createMemoryCache(),
      log: createLogger('silent'),
    }).forTenant(CONTOSO_TENANT_ID);
    const groups = await fresh.getUserGroups(user('enrico.cattaneo'));
    assert.ok(
      groups.some((g) => g.id === parent.id),
      'in the parent through Sales EMEA',
    );
    const members = await fresh.listGroupMembers(parent.id);
    assert.deepEqual(
      members?.map((m) => m.id).sort(),
      [...new Set([...sales.memberIds, user('megan.bowen')])].sort(),
    );
  });

  test('conflict search finds a seeded group by display name or nickname, case-insensitively', async () => {
    const sales = groupNamed('Sales EMEA');
    const byNick = await contoso.findGroupsByName({
      displayName: 'Nothing Like It',
      mailNickname: 'SALESEMEA',
    });
    assert.deepEqual(byNick, [{ id: sales.id, displayName: 'Sales EMEA', mailNickname: 'salesemea' }]);
    const byName = await contoso.findGroupsByName({ displayName: 'sales emea', mailNickname: 'nope' });
    assert.deepEqual(
      byName.map((g) => g.id),
      [sales.id],
    );
    // Quotes are escaped, not an OData syntax error.
    assert.deepEqual(
      await contoso.findGroupsByName({ displayName: "O'Brien's team", mailNickname: "o'brien" }),
      [],
    );
    assert.deepEqual(await contoso.findGroupsByName({ displayName: ' ', mailNickname: '' }), []);
  });

  test('people search matches the start of display name, mail or UPN, at most `top`', async () => {
    const megan = await contoso.searchUsers('meg');
    assert.deepEqual(
      megan.map((u) => u.displayName),
      ['Megan Bowen'],
    );
    const byUpn = await contoso.searchUsers('lee.gu@');
    assert.deepEqual(
      byUpn.map((u) => u.id),
      [user('lee.gu')],
    );
    const many = await contoso.searchUsers('a', 3);
    assert.equal(many.length, 3);
    assert.deepEqual(await contoso.searchUsers("o'"), []);
    assert.deepEqual(await contoso.searchUsers('   '), []);
  });

  test('the policy view holds attributes, group ids and names, and the given roles', async () => {
    const policy = await contoso.getPolicyUser('diego.siciliani@contoso.onmicrosoft.com', ['approver']);
    assert.ok(policy);
    assert.equal(policy.id, user('diego.siciliani'));
    assert.equal(policy.department, 'Sales');
    assert.equal(policy.country, 'GB');
    const expected = expectedGroups(user('diego.siciliani'));
    assert.deepEqual([...(policy.groupNames ?? [])].sort(), expected.map((g) => g.displayName).sort());
    assert.deepEqual([...(policy.groups ?? [])].sort(), expected.map((g) => g.id).sort());
    assert.ok(policy.groupNames?.includes('Sales EMEA'));
    assert.deepEqual(policy.roles, ['approver']);
    assert.equal(await contoso.getPolicyUser(randomUUID()), null);
  });

  test('a cached answer spares Graph: by id, then by UPN, then not-found', async () => {
    const fresh = createDirectory({
      graph,
      cache: createMemoryCache(),
      log: createLogger('silent'),
    }).forTenant(CONTOSO_TENANT_ID);
    const start = await graphRequests();
    await fresh.getUser(user('kenji.tanaka'));
    assert.equal(await graphRequests(), start + 1);
    await fresh.getUser(user('kenji.tanaka'));
    await fresh.getUser('KENJI.TANAKA@contoso.onmicrosoft.com');
    assert.equal(await graphRequests(), start + 1, 'the id and UPN lookups came from the cache');
    const ghost = randomUUID();
    await fresh.getUser(ghost);
    await fresh.getUser(ghost);
    assert.equal(await graphRequests(), start + 2, 'not-found is cached too');
    const [a, b] = await Promise.all([
      fresh.getUserGroups(user('kenji.tanaka')),
      fresh.getUserGroups(user('kenji.tanaka')),
    ]);
    assert.deepEqual(a, b);
    assert.equal(await graphRequests(), start + 3, 'concurrent reads share one call');
  });

  test('cache entries are per Entra tenant; other Graph failures throw GraphError', async () => {
    await contoso.getUser(user('megan.bowen'));
    const fabrikam = directory.forTenant(FABRIKAM_TENANT_ID);
    // Fabrikam has not consented: were Contoso's cached answer shared, this would resolve.
    await assert.rejects(
      fabrikam.getUser(user('megan.bowen')),
      (e: unknown) => e instanceof GraphError && e.status === 401,
    );
  });
});
