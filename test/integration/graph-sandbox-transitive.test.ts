import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { issueAccessToken, RESOURCES } from '../../sandbox/entra/access-tokens.ts';
import { CONTOSO_TENANT_ID, seededId, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryGroup, TenantState } from '../../sandbox/state/types.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

/*
 * The sandbox's transitive membership queries, as Graph documents them: `GET /users/{id}/transitiveMemberOf`
 * and `GET /groups/{id}/transitiveMembers`, with the `microsoft.graph.group` / `microsoft.graph.user` casts,
 * flattening nested groups, with $select, paging and Graph's 404.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sb: TestSandbox;
let tenant: TenantState;
let bearer: string;
let parent: DirectoryGroup;
let sales: DirectoryGroup;
const enrico = seededId('contoso:user:enrico.cattaneo');
const megan = seededId('contoso:user:megan.bowen');

async function get(path: string): Promise<{ status: number; json: Json }> {
  const res = await sb.fetch(`/v1.0${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, json: (await res.json()) as Json };
}

before(async () => {
  sb = await startTestSandbox({ faults: 'none', persist: false });
  const found = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  tenant = found;
  bearer = (
    await issueAccessToken(sb.sandbox.ctx, {
      tenant,
      clientId: TRELLIS_CLIENT_ID,
      audience: RESOURCES.graph.uri,
      roles: ['GroupMember.Read.All', 'User.Read.All'],
    })
  ).token;
  const salesGroup = tenant.directory.groups.find((g) => g.displayName === 'Sales EMEA');
  assert.ok(salesGroup);
  sales = salesGroup;
  // Graph lets a security group hold another group; the seed has none, so the test nests one.
  parent = {
    ...sales,
    id: randomUUID(),
    displayName: 'EMEA Leadership',
    mailNickname: 'emealeadership',
    mail: null,
    groupTypes: [],
    mailEnabled: false,
    securityEnabled: true,
    ownerIds: [megan],
    memberIds: [sales.id, megan],
  };
  tenant.directory.groups.push(parent);
});

after(async () => {
  await sb?.close();
});

describe('sandbox Graph: transitive memberships', () => {
  test('transitiveMemberOf lists direct groups and the groups they are nested in, each once', async () => {
    const direct = tenant.directory.groups.filter((g) => g.memberIds.includes(enrico)).map((g) => g.id);
    const res = await get(`/users/${enrico}/transitiveMemberOf?$select=id,displayName`);
    assert.equal(res.status, 200);
    assert.match(res.json['@odata.context'], /\$metadata#directoryObjects\(id,displayName\)$/);
    const ids = res.json.value.map((g: Json) => g.id).sort();
    assert.deepEqual(ids, [...direct, parent.id].sort());
    assert.ok(res.json.value.every((g: Json) => g['@odata.type'] === '#microsoft.graph.group'));
    // memberOf stays direct only.
    const memberOf = await get(`/users/${enrico}/memberOf?$select=id`);
    assert.ok(!memberOf.json.value.some((g: Json) => g.id === parent.id));
  });

  test('the microsoft.graph.group cast answers groups, paged with $top', async () => {
    const first = await get(`/users/${enrico}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=1`);
    assert.equal(first.status, 200);
    assert.match(first.json['@odata.context'], /\$metadata#groups\(id\)$/);
    assert.equal(first.json.value.length, 1);
    assert.match(
      first.json['@odata.nextLink'],
      /\/transitiveMemberOf\/microsoft\.graph\.group\?.*(\$|%24)skiptoken=/,
    );
  });

  test('transitiveMembers flattens nested groups; the user cast keeps users only', async () => {
    const all = await get(`/groups/${parent.id}/transitiveMembers?$select=id`);
    assert.equal(all.status, 200);
    const types = new Set(all.json.value.map((m: Json) => m['@odata.type']));
    assert.deepEqual(types, new Set(['#microsoft.graph.user', '#microsoft.graph.group']));
    const users = await get(
      `/groups/${parent.id}/transitiveMembers/microsoft.graph.user?$select=id,displayName`,
    );
    assert.equal(users.status, 200);
    assert.deepEqual(
      users.json.value.map((u: Json) => u.id).sort(),
      [...new Set([...sales.memberIds, megan])].sort(),
    );
    const groups = await get(`/groups/${parent.id}/transitiveMembers/microsoft.graph.group?$select=id`);
    assert.deepEqual(
      groups.json.value.map((g: Json) => g.id),
      [sales.id],
    );
  });

  test('an unknown user or group is Graph 404 Request_ResourceNotFound', async () => {
    const user = await get(`/users/${randomUUID()}/transitiveMemberOf`);
    assert.equal(user.status, 404);
    assert.equal(user.json.error.code, 'Request_ResourceNotFound');
    const group = await get(`/groups/${randomUUID()}/transitiveMembers/microsoft.graph.user`);
    assert.equal(group.status, 404);
    assert.equal(group.json.error.code, 'Request_ResourceNotFound');
  });

  test('selected users carry companyName (null when unset), as Graph does', async () => {
    const res = await get(`/users/${megan}?$select=id,companyName`);
    assert.equal(res.status, 200);
    assert.equal(res.json.companyName, null);
  });
});
