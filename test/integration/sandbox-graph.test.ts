import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyBotState } from '../../sandbox/botframework/state.ts';
import { issueAccessToken, RESOURCES } from '../../sandbox/entra/access-tokens.ts';
import { listTeams, teamTree } from '../../sandbox/graph/index.ts';
import { PLAYBOOK_TEAM_NAME, STALE_TEAM_NAME, seedGraph } from '../../sandbox/graph/seed.ts';
import { emptyGraphState } from '../../sandbox/graph/state.ts';
import { emptyVaultState } from '../../sandbox/keyvault/state.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { addTestUser } from '../helpers/directory.ts';

// biome-ignore lint/suspicious/noExplicitAny: Graph JSON bodies, asserted field by field.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const APP_ROLES = [
  'User.Read.All',
  'Group.ReadWrite.All',
  'Team.Create',
  'TeamMember.ReadWrite.All',
  'Channel.Create',
  'ChannelMember.ReadWrite.All',
  'TeamsTab.ReadWrite.All',
  'TeamsAppInstallation.ReadWriteForTeam.All',
  'TeamSettings.ReadWrite.All',
  'Files.ReadWrite.All',
  'Tasks.ReadWrite.All',
  'AppCatalog.Read.All',
  'Reports.Read.All',
];

let sb: TestSandbox;
let contoso: TenantState;
let fabrikam: TenantState;
let appToken: string;
let users: DirectoryUser[];

async function token(tenant: TenantState, roles: string[]): Promise<string> {
  return (
    await issueAccessToken(sb.sandbox.ctx, {
      tenant,
      clientId: TRELLIS_CLIENT_ID,
      audience: RESOURCES.graph.uri,
      roles,
    })
  ).token;
}

async function graph(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Json; text: string }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const bearer = options.token === undefined ? appToken : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await sb.fetch(path.startsWith('http') ? path : `/v1.0${path}`, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  let json: Json;
  try {
    json = text ? (JSON.parse(text) as Json) : {};
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers as unknown as Headers, json, text };
}

/** Follows @odata.nextLink to the end. */
async function allPages(path: string, bearer = appToken): Promise<{ items: Json[]; pages: Json[] }> {
  const pages: Json[] = [];
  let next: string | undefined = path;
  while (next) {
    const page = await graph('GET', next, { token: bearer });
    assert.equal(page.status, 200, page.text);
    pages.push(page.json);
    next = page.json['@odata.nextLink'];
  }
  return { items: pages.flatMap((p) => p.value as Json[]), pages };
}

async function poll(location: string): Promise<Json> {
  const seen: string[] = [];
  for (let i = 0; i < 100; i++) {
    const op = await graph('GET', location);
    assert.equal(op.status, 200, op.text);
    seen.push(op.json.status);
    if (op.json.status === 'succeeded') return { ...op.json, seen };
    await sleep(50);
  }
  throw new Error(`operation ${location} did not finish`);
}

async function teamIdOf(name: string): Promise<string> {
  const found = await graph('GET', `/groups?$filter=displayName eq '${name}'&$select=id`);
  assert.equal(found.status, 200, found.text);
  const id = found.json.value[0]?.id as string | undefined;
  assert.ok(id, `${name} is seeded`);
  return id;
}

async function newTeam(name: string, owner: DirectoryUser, members: DirectoryUser[] = []): Promise<string> {
  const created = await graph('POST', '/teams', {
    body: {
      'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName: name,
      description: `${name} (test)`,
      visibility: 'Private',
      members: [
        {
          '@odata.type': '#microsoft.graph.aadUserConversationMember',
          roles: ['owner'],
          'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${owner.id}')`,
        },
        ...members.map((m) => ({
          '@odata.type': '#microsoft.graph.aadUserConversationMember',
          roles: [],
          'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${m.userPrincipalName}')`,
        })),
      ],
    },
  });
  assert.equal(created.status, 202, created.text);
  const location = created.headers.get('location') ?? '';
  await poll(location);
  return /teams\('([^']+)'\)/.exec(location)?.[1] ?? '';
}

before(async () => {
  sb = await startTestSandbox();
  const ctx = sb.sandbox.ctx;
  const found = ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  contoso = found;
  // The directory may be filled by the Contoso seed or not: these tests bring their own people.
  users = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra'].map((n) =>
    addTestUser(contoso, n),
  );
  for (let i = 0; i < 120; i++)
    addTestUser(contoso, `Load User${String(i).padStart(3, '0')}`, {
      department: i % 2 ? 'Sales' : 'Support',
    });
  fabrikam = {
    id: randomUUID(),
    displayName: 'Fabrikam',
    domain: 'fabrikam.onmicrosoft.com',
    directory: { users: [], groups: [], apps: [] },
    graph: emptyGraphState(),
    bot: emptyBotState(),
    vault: emptyVaultState(),
  };
  addTestUser(fabrikam, 'Fab Owner');
  seedGraph(fabrikam);
  ctx.store.state.tenants.push(fabrikam);
  appToken = await token(contoso, APP_ROLES);
});

after(async () => {
  await sb?.close();
});

describe('users and groups with OData', () => {
  test('$top pages through every user once, @odata.nextLink is absolute on the sandbox origin', async () => {
    const { items, pages } = await allPages('/users?$top=40&$select=id,displayName,department');
    assert.equal(items.length, contoso.directory.users.length);
    assert.equal(new Set(items.map((u) => u.id)).size, items.length, 'no user twice');
    assert.ok(pages.length >= 4);
    for (const page of pages.slice(0, -1)) {
      assert.equal(page.value.length, 40);
      assert.ok(String(page['@odata.nextLink']).startsWith(`${sb.origin}/v1.0/users?`));
      assert.match(page['@odata.nextLink'], /%24skiptoken=/);
    }
    assert.equal(pages.at(-1)?.['@odata.nextLink'], undefined);
    assert.deepEqual(Object.keys(items[0] ?? {}).sort(), ['department', 'displayName', 'id']);
    assert.equal(
      pages[0]?.['@odata.context'],
      `${sb.origin}/v1.0/$metadata#users(id,displayName,department)`,
    );
  });

  test('default properties without $select; $filter eq, startswith, and/or', async () => {
    const one = await graph('GET', `/users/${users[0]?.userPrincipalName}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.id, users[0]?.id);
    assert.equal(one.json.department, undefined, 'department is not a default property');
    assert.equal(one.json.displayName, 'Ada Lovelace');
    const starts = await allPages("/users?$filter=startswith(displayName,'load user00')&$select=displayName");
    assert.equal(starts.items.length, 10);
    const both = await allPages(
      "/users?$filter=department eq 'Sales' and (startswith(displayName,'Load User00') or displayName eq 'Load User119')&$select=displayName",
    );
    assert.deepEqual(both.items.map((u) => u.displayName).sort(), [
      'Load User001',
      'Load User003',
      'Load User005',
      'Load User007',
      'Load User009',
      'Load User119',
    ]);
  });

  test('unsupported filters and $count without ConsistencyLevel answer 400 as Graph does', async () => {
    const contains = await graph('GET', "/users?$filter=contains(displayName,'a')");
    assert.equal(contains.status, 400);
    assert.equal(contains.json.error.code, 'Request_UnsupportedQuery');
    const ne = await graph('GET', "/users?$filter=department ne 'Sales'");
    assert.equal(ne.status, 400);
    const unknown = await graph('GET', "/users?$filter=shoeSize eq '42'");
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /shoeSize/);
    const count = await graph('GET', '/users?$count=true');
    assert.equal(count.status, 400);
    const advanced = await graph('GET', "/users?$count=true&$filter=department ne 'Sales'&$top=5", {
      headers: { ConsistencyLevel: 'eventual' },
    });
    assert.equal(advanced.status, 200, advanced.text);
    assert.equal(
      advanced.json['@odata.count'],
      contoso.directory.users.filter((u) => u.department !== 'Sales').length,
    );
    const select = await graph('GET', '/users?$select=nope');
    assert.equal(select.status, 400);
  });

  test('groups: teams by resourceProvisioningOptions, create with owners/members binds, $ref add and remove', async () => {
    const teams = await allPages(
      "/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')&$select=displayName",
    );
    const names = teams.items.map((g) => g.displayName);
    assert.ok(names.includes(PLAYBOOK_TEAM_NAME));
    assert.ok(names.includes(STALE_TEAM_NAME));
    const [ada, grace, alan] = users;
    assert.ok(ada && grace && alan);
    const created = await graph('POST', '/groups', {
      body: {
        displayName: 'Plain group',
        mailNickname: 'plaingroup',
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: ['Unified'],
        'owners@odata.bind': [`https://graph.microsoft.com/v1.0/users/${ada.id}`],
        'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${grace.id}`],
      },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.json.id as string;
    const again = await graph(
      'GET',
      "/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')&$select=id",
    );
    assert.ok(!again.json.value.some((g: Json) => g.id === id), 'a plain group is not a team');
    const dup = await graph('POST', '/groups', {
      body: {
        displayName: 'Other',
        mailNickname: 'PlainGroup',
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: ['Unified'],
      },
    });
    assert.equal(dup.status, 400);
    const add = await graph('POST', `/groups/${id}/members/$ref`, {
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${alan.id}` },
    });
    assert.equal(add.status, 204);
    const members = await graph('GET', `/groups/${id}/members?$select=id`);
    assert.deepEqual(members.json.value.map((m: Json) => m.id).sort(), [grace.id, alan.id].sort());
    assert.equal(members.json.value[0]['@odata.type'], '#microsoft.graph.user');
    const memberOf = await graph('GET', `/users/${alan.id}/memberOf?$select=id`);
    assert.ok(memberOf.json.value.some((g: Json) => g.id === id));
    assert.equal((await graph('DELETE', `/groups/${id}/members/${alan.id}/$ref`)).status, 204);
    assert.equal(
      (await graph('DELETE', `/groups/${id}/owners/${ada.id}/$ref`)).status,
      400,
      'last owner stays',
    );
    assert.equal((await graph('DELETE', `/groups/${id}`)).status, 204);
    assert.equal((await graph('GET', `/groups/${id}`)).status, 404);
  });

  test('/me is for delegated tokens; manager 404 when none', async () => {
    const [ada, grace] = users;
    assert.ok(ada && grace);
    grace.managerId = ada.id;
    const delegated = await issueAccessToken(sb.sandbox.ctx, {
      tenant: contoso,
      clientId: TRELLIS_CLIENT_ID,
      audience: RESOURCES.graph.appId,
      scopes: ['User.Read'],
      userId: grace.id,
    });
    const me = await graph('GET', '/me', { token: delegated.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.userPrincipalName, grace.userPrincipalName);
    assert.equal((await graph('GET', '/me')).status, 400, 'app-only /me');
    const manager = await graph('GET', `/users/${grace.id}/manager`);
    assert.equal(manager.json.id, ada.id);
    assert.equal((await graph('GET', `/users/${ada.id}/manager`)).status, 404);
  });

  test('joinedTeams: the teams a user owns or is a member of, for the user (delegated) or an app', async () => {
    const [ada, grace, alan] = users;
    assert.ok(ada && grace && alan);
    const owned = await newTeam('Joined by Ada', ada);
    const joined = await newTeam('Ada is a member', grace, [ada]);
    const foreign = await newTeam('Without Ada', alan);
    const delegated = async (scopes: string[]) =>
      (
        await issueAccessToken(sb.sandbox.ctx, {
          tenant: contoso,
          clientId: TRELLIS_CLIENT_ID,
          audience: RESOURCES.graph.appId,
          scopes,
          userId: ada.id,
        })
      ).token;
    const mine = await graph('GET', '/me/joinedTeams', { token: await delegated(['Team.ReadBasic.All']) });
    assert.equal(mine.status, 200, mine.text);
    const ids = (mine.json.value as Json[]).map((t) => t.id as string);
    assert.ok(ids.includes(owned) && ids.includes(joined), 'owned and joined teams');
    assert.equal(ids.includes(foreign), false, "a team Ada is not in stays out of Ada's list");
    const team = (mine.json.value as Json[]).find((t) => t.id === owned);
    assert.deepEqual(Object.keys(team ?? {}).sort(), [
      'description',
      'displayName',
      'id',
      'isArchived',
      'tenantId',
    ]);
    assert.equal(team?.displayName, 'Joined by Ada');

    const noScope = await graph('GET', '/me/joinedTeams', { token: await delegated(['User.Read']) });
    assert.equal(noScope.status, 403, 'User.Read alone does not list teams');
    assert.equal((await graph('GET', '/me/joinedTeams')).status, 400, 'app-only /me');
    const asApp = await graph('GET', `/users/${ada.id}/joinedTeams`);
    assert.deepEqual(
      (asApp.json.value as Json[]).map((t) => t.id as string).sort(),
      [...ids].sort(),
      'an app with TeamSettings.ReadWrite.All reads the same list by user id',
    );
  });
});

describe('authentication, permissions and tenants', () => {
  test('401 InvalidAuthenticationToken without a token, with correlation ids in headers and body', async () => {
    const clientRequestId = randomUUID();
    const res = await graph('GET', '/users', {
      token: null,
      headers: { 'client-request-id': clientRequestId },
    });
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'InvalidAuthenticationToken');
    assert.equal(res.headers.get('client-request-id'), clientRequestId);
    assert.equal(res.json.error.innerError['client-request-id'], clientRequestId);
    assert.equal(res.json.error.innerError['request-id'], res.headers.get('request-id'));
    assert.match(res.json.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.ok(res.headers.get('www-authenticate'));
    const foreign = await issueAccessToken(sb.sandbox.ctx, {
      tenant: contoso,
      clientId: TRELLIS_CLIENT_ID,
      audience: RESOURCES.keyVault.uri,
      roles: APP_ROLES,
    });
    assert.equal(
      (await graph('GET', '/users', { token: foreign.token })).status,
      401,
      'a Key Vault token is not for Graph',
    );
    const ok = await graph('GET', '/users?$top=1');
    assert.ok(ok.headers.get('request-id'));
  });

  test("a client-credentials token from the sandbox's token endpoint carries Trellis's consented roles", async () => {
    const app = contoso.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID);
    assert.ok(app?.secrets[0], 'the Contoso seed registers Trellis with a secret');
    const res = await sb.fetch(`/${contoso.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: app.secrets[0],
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
    });
    assert.equal(res.status, 200);
    const { access_token: issued } = (await res.json()) as { access_token: string };
    const teams = await graph(
      'GET',
      "/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')&$select=id",
      {
        token: issued,
      },
    );
    assert.equal(teams.status, 200, teams.text);
    assert.ok(teams.json.value.length >= 6);
  });

  test('403 Authorization_RequestDenied without the permission', async () => {
    const readOnly = await token(contoso, ['User.Read.All']);
    const res = await graph('POST', '/teams', {
      token: readOnly,
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        displayName: 'Nope',
      },
    });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'Authorization_RequestDenied');
    assert.equal((await graph('GET', '/users?$top=1', { token: readOnly })).status, 200);
    assert.equal((await graph('GET', '/groups', { token: readOnly })).status, 403);
  });

  test("a team of another tenant is 404, and lists are scoped to the caller's tenant", async () => {
    const playbook = await teamIdOf(PLAYBOOK_TEAM_NAME);
    const fabToken = await token(fabrikam, APP_ROLES);
    const res = await graph('GET', `/teams/${playbook}`, { token: fabToken });
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'NotFound');
    assert.equal((await graph('GET', `/teams/${playbook}/channels`, { token: fabToken })).status, 404);
    assert.equal((await graph('GET', `/groups/${playbook}`, { token: fabToken })).status, 404);
    const theirs = await graph('GET', "/groups?$filter=displayName eq 'Contoso Launch Playbook'&$select=id", {
      token: fabToken,
    });
    assert.ok(!theirs.json.value.some((g: Json) => g.id === playbook));
    const theirUsers = await allPages('/users?$select=userPrincipalName', fabToken);
    assert.deepEqual(
      theirUsers.items.map((u) => u.userPrincipalName),
      fabrikam.directory.users.map((u) => u.userPrincipalName),
    );
  });
});

describe('teams', () => {
  test('POST /teams answers 202 + Location; the team reads 404 until the operation succeeded', async () => {
    const [ada] = users;
    assert.ok(ada);
    const created = await graph('POST', '/teams', {
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        displayName: 'Async Team',
        description: 'made by a test',
        visibility: 'Public',
        memberSettings: { allowCreatePrivateChannels: false },
        funSettings: { giphyContentRating: 'strict' },
        channels: [
          {
            displayName: 'Announcements',
            isFavoriteByDefault: true,
            tabs: [
              {
                'teamsApp@odata.bind':
                  "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps('com.microsoft.teamspace.tab.web')",
                displayName: 'Site',
                configuration: { contentUrl: 'https://contoso.com', websiteUrl: 'https://contoso.com' },
              },
            ],
          },
        ],
        members: [
          {
            '@odata.type': '#microsoft.graph.aadUserConversationMember',
            roles: ['owner'],
            'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${ada.id}')`,
          },
        ],
      },
    });
    assert.equal(created.status, 202, created.text);
    assert.equal(created.text, '');
    const location = created.headers.get('location') ?? '';
    assert.match(location, /^\/teams\('[0-9a-f-]{36}'\)\/operations\('[0-9a-f-]{36}'\)$/);
    const teamId = /teams\('([^']+)'\)/.exec(location)?.[1] ?? '';
    assert.equal(created.headers.get('content-location'), `/teams('${teamId}')`);
    const early = await graph('GET', `/teams/${teamId}`);
    assert.equal(early.status, 404, 'not readable while provisioning');
    const op = await poll(location);
    assert.equal(op.operationType, 'createTeam');
    assert.equal(op.targetResourceId, teamId);
    assert.equal(op.targetResourceLocation, `/teams('${teamId}')`);
    assert.equal(op.attemptsCount, 1);
    assert.equal(op.error, null);
    assert.ok(op.seen.includes('inProgress') || op.seen.includes('notStarted'), `statuses seen: ${op.seen}`);
    const slashForm = await graph('GET', `/teams/${teamId}/operations/${op.id}`);
    assert.equal(slashForm.json.status, 'succeeded');
    const team = await graph('GET', `/teams/${teamId}`);
    assert.equal(team.status, 200);
    assert.equal(team.json.displayName, 'Async Team');
    assert.equal(team.json.visibility, 'public');
    assert.equal(team.json.memberSettings.allowCreatePrivateChannels, false);
    assert.equal(team.json.funSettings.giphyContentRating, 'strict');
    const channels = await graph('GET', `/teams/${teamId}/channels?$select=displayName`);
    assert.deepEqual(
      channels.json.value.map((c: Json) => c.displayName),
      ['General', 'Announcements'],
    );
    const apps = await graph('GET', `/teams/${teamId}/installedApps?$expand=teamsApp`);
    assert.deepEqual(
      apps.json.value.map((a: Json) => a.teamsApp.id),
      ['com.microsoft.teamspace.tab.web'],
    );
    const patched = await graph('PATCH', `/teams/${teamId}`, {
      body: { description: 'changed', messagingSettings: { allowUserEditMessages: false } },
    });
    assert.equal(patched.status, 204);
    const reread = await graph('GET', `/teams/${teamId}?$select=description,messagingSettings`);
    assert.equal(reread.json.description, 'changed');
    assert.equal(reread.json.messagingSettings.allowUserEditMessages, false);
    assert.equal(
      (await graph('PATCH', `/teams/${teamId}`, { body: { funSettings: { giphyContentRating: 'wild' } } }))
        .status,
      400,
    );
    const noOwner = await graph('POST', '/teams', {
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        displayName: 'Ownerless',
      },
    });
    assert.equal(noOwner.status, 400, 'application permissions need an owner');
  });

  test('group first: PUT /groups/{id}/team answers 404 while the group replicates, then 201', async () => {
    await sb.fetch('/sandbox/api/faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profile: 'none', replicationLag: { minMs: 400, maxMs: 400 } }),
    });
    try {
      const [ada] = users;
      assert.ok(ada);
      const group = await graph('POST', '/groups', {
        body: {
          displayName: 'Lagging group',
          mailNickname: 'lagging',
          mailEnabled: true,
          securityEnabled: false,
          groupTypes: ['Unified'],
          'owners@odata.bind': [`https://graph.microsoft.com/v1.0/users/${ada.id}`],
        },
      });
      assert.equal(group.status, 201);
      const id = group.json.id as string;
      const early = await graph('PUT', `/groups/${id}/team`, { body: {} });
      assert.equal(early.status, 404);
      assert.equal(early.json.error.code, 'NotFound');
      assert.equal((await graph('GET', `/groups/${id}/drive`)).status, 404, 'the site lags too');
      assert.equal((await graph('GET', `/groups/${id}`)).status, 200, 'the group itself reads');
      await sleep(450);
      const team = await graph('PUT', `/groups/${id}/team`, {
        body: { memberSettings: { allowDeleteChannels: false } },
      });
      assert.equal(team.status, 201, team.text);
      assert.equal(team.json.id, id);
      assert.equal(team.json.memberSettings.allowDeleteChannels, false);
      assert.equal((await graph('PUT', `/groups/${id}/team`, { body: {} })).status, 409);
      const teamify = await graph('POST', '/teams', {
        body: {
          'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
          'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${id}')`,
        },
      });
      assert.equal(teamify.status, 409);
      const faults = (await (await sb.fetch('/sandbox/api/faults')).json()) as Json;
      assert.ok(faults.counters.replicationLag >= 2);
    } finally {
      await sb.fetch('/sandbox/api/faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'none' }),
      });
    }
  });

  test('archive → operation → archived (read-only), unarchive → active', async () => {
    const [ada] = users;
    assert.ok(ada);
    const teamId = await newTeam('Archive Me', ada);
    const archive = await graph('POST', `/teams/${teamId}/archive`, {
      body: { shouldSetSpoSiteReadOnlyForMembers: true },
    });
    assert.equal(archive.status, 202);
    const location = archive.headers.get('location') ?? '';
    const op = await poll(location);
    assert.equal(op.operationType, 'archiveTeam');
    const team = await graph('GET', `/teams/${teamId}`);
    assert.equal(team.json.isArchived, true);
    const blocked = await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'Too late' } });
    assert.equal(blocked.status, 403);
    const unarchive = await graph('POST', `/teams/${teamId}/unarchive`);
    assert.equal(unarchive.status, 202);
    await poll(unarchive.headers.get('location') ?? '');
    assert.equal((await graph('GET', `/teams/${teamId}`)).json.isArchived, false);
    assert.ok(listTeams(contoso).some((t) => t.id === teamId && !t.isArchived));
  });
});

describe('channels, members, tabs and apps', () => {
  let teamId: string;
  before(async () => {
    const [ada, grace, alan] = users;
    assert.ok(ada && grace && alan);
    teamId = await newTeam('Channel Rules', ada, [grace]);
  });

  test('channel rules: names, duplicates, private and shared rosters', async () => {
    const [ada, grace, alan] = users;
    assert.ok(ada && grace && alan);
    const member = (u: DirectoryUser, roles: string[]) => ({
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${u.id}')`,
      roles,
    });
    const std = await graph('POST', `/teams/${teamId}/channels`, {
      body: { displayName: 'Design', description: 'd' },
    });
    assert.equal(std.status, 201, std.text);
    assert.match(std.json.id, /^19:[0-9a-f]{32}@thread\.tacv2$/);
    assert.equal(std.json.membershipType, 'standard');
    const dup = await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'design' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.code, 'NameAlreadyExists');
    assert.equal(
      (await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'general' } })).status,
      409,
    );
    assert.equal(
      (await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'Q&A #1' } })).status,
      400,
    );
    assert.equal(
      (await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'x'.repeat(51) } })).status,
      400,
    );
    assert.equal(
      (await graph('POST', `/teams/${teamId}/channels`, { body: { displayName: '_hidden' } })).status,
      400,
    );
    const twoOwners = await graph('POST', `/teams/${teamId}/channels`, {
      body: {
        displayName: 'Partners',
        membershipType: 'shared',
        members: [member(ada, ['owner']), member(grace, ['owner'])],
      },
    });
    assert.equal(twoOwners.status, 400);
    const noOwner = await graph('POST', `/teams/${teamId}/channels`, {
      body: { displayName: 'Secret', membershipType: 'private', members: [member(grace, [])] },
    });
    assert.equal(noOwner.status, 400);
    const outsider = await graph('POST', `/teams/${teamId}/channels`, {
      body: {
        displayName: 'Secret',
        membershipType: 'private',
        members: [member(ada, ['owner']), member(alan, [])],
      },
    });
    assert.equal(outsider.status, 400, 'private channel members come from the team');
    const secret = await graph('POST', `/teams/${teamId}/channels`, {
      body: {
        displayName: 'Secret',
        membershipType: 'private',
        members: [member(ada, ['owner']), member(grace, [])],
      },
    });
    assert.equal(secret.status, 201, secret.text);
    const shared = await graph('POST', `/teams/${teamId}/channels`, {
      body: { displayName: 'Partners', membershipType: 'shared', members: [member(ada, ['owner'])] },
    });
    assert.equal(shared.status, 201, shared.text);
    const addOutsider = await graph(
      'POST',
      `/teams/${teamId}/channels/${encodeURIComponent(shared.json.id)}/members`,
      {
        body: member(alan, []),
      },
    );
    assert.equal(addOutsider.status, 201, 'shared channels take people outside the team');
    assert.equal(
      (
        await graph('POST', `/teams/${teamId}/channels/${encodeURIComponent(secret.json.id)}/members`, {
          body: member(alan, []),
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await graph('POST', `/teams/${teamId}/channels/${encodeURIComponent(std.json.id)}/members`, {
          body: member(alan, []),
        })
      ).status,
      400,
    );
    const secretMembers = await graph(
      'GET',
      `/teams/${teamId}/channels/${encodeURIComponent(secret.json.id)}/members`,
    );
    assert.deepEqual(
      secretMembers.json.value.map((m: Json) => [m.userId, m.roles]).sort(),
      [
        [ada.id, ['owner']],
        [grace.id, []],
      ].sort(),
    );
    const stdMembers = await graph(
      'GET',
      `/teams/${teamId}/channels/${encodeURIComponent(std.json.id)}/members`,
    );
    assert.equal(stdMembers.json.value.length, 2, 'standard channels have the team roster');
    const primary = await graph('GET', `/teams/${teamId}/primaryChannel`);
    assert.equal(primary.json.displayName, 'General');
    const folder = await graph(
      'GET',
      `/teams/${teamId}/channels/${encodeURIComponent(std.json.id)}/filesFolder`,
    );
    assert.equal(folder.status, 200);
    assert.equal(folder.json.name, 'Design');
    assert.equal(folder.json.parentReference.path, '/drive/root:');
    const privateFolder = await graph(
      'GET',
      `/teams/${teamId}/channels/${encodeURIComponent(secret.json.id)}/filesFolder`,
    );
    assert.notEqual(
      privateFolder.json.parentReference.driveId,
      folder.json.parentReference.driveId,
      'private channels have their own site',
    );
    const tree = teamTree(contoso, teamId);
    assert.deepEqual(
      tree?.channels.map((c) => [c.displayName, c.membershipType]),
      [
        ['General', 'standard'],
        ['Design', 'standard'],
        ['Secret', 'private'],
        ['Partners', 'shared'],
      ],
    );
  });

  test('a tab before its app is installed is 400; installed, it is created and expands its app', async () => {
    const general = (await graph('GET', `/teams/${teamId}/primaryChannel`)).json.id as string;
    const tab = {
      displayName: 'Notebook',
      'teamsApp@odata.bind':
        'https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/0d820ecd-def2-4297-adad-78056cde7c78',
      configuration: {
        entityId: 'nb1',
        contentUrl: 'https://www.onenote.com/teams/TabContent',
        websiteUrl: null,
        removeUrl: null,
      },
    };
    const early = await graph('POST', `/teams/${teamId}/channels/${encodeURIComponent(general)}/tabs`, {
      body: tab,
    });
    assert.equal(early.status, 400);
    assert.match(early.json.error.message, /not installed/);
    const install = await graph('POST', `/teams/${teamId}/installedApps`, {
      body: {
        'teamsApp@odata.bind':
          'https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/0d820ecd-def2-4297-adad-78056cde7c78',
      },
    });
    assert.equal(install.status, 200);
    assert.equal(install.text, '');
    const twice = await graph('POST', `/teams/${teamId}/installedApps`, {
      body: {
        'teamsApp@odata.bind':
          'https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/0d820ecd-def2-4297-adad-78056cde7c78',
      },
    });
    assert.equal(twice.status, 409);
    const created = await graph('POST', `/teams/${teamId}/channels/${encodeURIComponent(general)}/tabs`, {
      body: tab,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.configuration.entityId, 'nb1');
    const plain = await graph('GET', `/teams/${teamId}/channels/${encodeURIComponent(general)}/tabs`);
    assert.equal(plain.json.value[0].teamsApp, undefined, 'navigation properties need $expand');
    const expanded = await graph(
      'GET',
      `/teams/${teamId}/channels/${encodeURIComponent(general)}/tabs?$expand=teamsApp`,
    );
    assert.equal(expanded.json.value[0].teamsApp.id, '0d820ecd-def2-4297-adad-78056cde7c78');
    const apps = await graph(
      'GET',
      `/teams/${teamId}/installedApps?$expand=teamsAppDefinition&$filter=teamsApp/id eq '0d820ecd-def2-4297-adad-78056cde7c78'`,
    );
    assert.equal(apps.json.value.length, 1);
    assert.equal(apps.json.value[0].teamsAppDefinition.displayName, 'OneNote');
    assert.equal(apps.json.value[0].teamsApp, undefined);
  });

  test('team members by id or UPN, bulk add, roles, and the group in step', async () => {
    const [ada, grace, alan, katherine] = users;
    assert.ok(ada && grace && alan && katherine);
    const added = await graph('POST', `/teams/${teamId}/members`, {
      body: {
        '@odata.type': '#microsoft.graph.aadUserConversationMember',
        roles: ['owner'],
        'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${alan.userPrincipalName}')`,
      },
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.userId, alan.id);
    assert.deepEqual(added.json.roles, ['owner']);
    const bulk = await graph('POST', `/teams/${teamId}/members/add`, {
      body: {
        values: [
          {
            '@odata.type': 'microsoft.graph.aadUserConversationMember',
            roles: [],
            'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${katherine.id}')`,
          },
          {
            '@odata.type': 'microsoft.graph.aadUserConversationMember',
            roles: [],
            'user@odata.bind': "https://graph.microsoft.com/v1.0/users('nobody@contoso.onmicrosoft.com')",
          },
        ],
      },
    });
    assert.equal(bulk.status, 207);
    assert.equal(bulk.json.value[0].userId, katherine.id);
    assert.equal(bulk.json.value[0].error, null);
    assert.equal(bulk.json.value[1].error.code, 'NotFound');
    const groupMembers = await graph('GET', `/groups/${teamId}/members?$select=id`);
    assert.deepEqual(
      groupMembers.json.value.map((m: Json) => m.id).sort(),
      [ada.id, grace.id, alan.id, katherine.id].sort(),
    );
    const owners = await graph('GET', `/groups/${teamId}/owners?$select=id`);
    assert.deepEqual(owners.json.value.map((m: Json) => m.id).sort(), [ada.id, alan.id].sort());
    const members = await graph('GET', `/teams/${teamId}/members`);
    const alanMember = members.json.value.find((m: Json) => m.userId === alan.id);
    assert.equal(alanMember['@odata.type'], '#microsoft.graph.aadUserConversationMember');
    const demoted = await graph('PATCH', `/teams/${teamId}/members/${alanMember.id}`, {
      body: { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: [] },
    });
    assert.equal(demoted.status, 200);
    assert.deepEqual(demoted.json.roles, []);
    assert.ok(
      !(await graph('GET', `/groups/${teamId}/owners?$select=id`)).json.value.some(
        (m: Json) => m.id === alan.id,
      ),
    );
    const katherineMember = members.json.value.find((m: Json) => m.userId === katherine.id);
    assert.equal((await graph('DELETE', `/teams/${teamId}/members/${katherineMember.id}`)).status, 204);
    assert.ok(
      !(await graph('GET', `/groups/${teamId}/members?$select=id`)).json.value.some(
        (m: Json) => m.id === katherine.id,
      ),
    );
    const adaMember = members.json.value.find((m: Json) => m.userId === ada.id);
    assert.equal(
      (await graph('DELETE', `/teams/${teamId}/members/${adaMember.id}`)).status,
      400,
      'the last owner stays',
    );
  });

  test('the org catalog lists Trellis as an organization app with its definitions', async () => {
    const org = await graph(
      'GET',
      "/appCatalogs/teamsApps?$filter=distributionMethod eq 'organization'&$expand=appDefinitions",
    );
    assert.equal(org.status, 200);
    assert.equal(org.json.value.length, 1);
    assert.equal(org.json.value[0].displayName, 'Trellis');
    assert.equal(org.json.value[0].externalId, TRELLIS_CLIENT_ID);
    assert.equal(org.json.value[0].appDefinitions[0].teamsAppId, org.json.value[0].id);
    const all = await graph('GET', '/appCatalogs/teamsApps?$select=id');
    for (const id of ['com.microsoft.teamspace.tab.planner', 'com.microsoft.teamspace.tab.web']) {
      assert.ok(
        all.json.value.some((a: Json) => a.id === id),
        id,
      );
    }
  });
});

describe('drive', () => {
  test('folders with conflict behaviours, uploads by path, content read back through the download URL', async () => {
    const playbook = await teamIdOf(PLAYBOOK_TEAM_NAME);
    const drive = await graph('GET', `/groups/${playbook}/drive`);
    assert.equal(drive.status, 200);
    assert.equal(drive.json.driveType, 'documentLibrary');
    const root = await graph('GET', `/groups/${playbook}/drive/root/children?$select=name`);
    const names = root.json.value.map((i: Json) => i.name);
    for (const channel of ['General', 'Announcements', 'Launch Planning'])
      assert.ok(names.includes(channel), channel);
    const make = (conflict?: string) =>
      graph('POST', `/groups/${playbook}/drive/root/children`, {
        body: {
          name: 'Contracts',
          folder: {},
          ...(conflict ? { '@microsoft.graph.conflictBehavior': conflict } : {}),
        },
      });
    const first = await make();
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.folder.childCount, 0);
    assert.equal((await make()).status, 409);
    assert.equal((await make('fail')).json.error.code, 'nameAlreadyExists');
    const renamed = await make('rename');
    assert.equal(renamed.json.name, 'Contracts 1');
    const upload = await graph('PUT', `/groups/${playbook}/drive/root:/Contracts/2026/NDA.txt:/content`, {
      body: 'Mutual NDA',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(upload.status, 201, upload.text);
    assert.equal(upload.json.size, 10);
    assert.equal(upload.json.file.mimeType, 'text/plain');
    assert.equal(upload.json.parentReference.path, '/drive/root:/Contracts/2026');
    const replace = await graph(
      'PUT',
      `/drives/${drive.json.id}/items/${first.json.id}:/2026/NDA.txt:/content`,
      {
        body: 'Mutual NDA v2',
        headers: { 'content-type': 'application/octet-stream' },
      },
    );
    assert.equal(replace.status, 200, replace.text);
    assert.equal(replace.json.id, upload.json.id);
    const content = await sb.fetch(`/v1.0/drives/${drive.json.id}/items/${upload.json.id}/content`, {
      headers: { authorization: `Bearer ${appToken}` },
      redirect: 'manual',
    });
    assert.equal(content.status, 302);
    const download = await sb.fetch(content.headers.get('location') ?? '');
    assert.equal(await download.text(), 'Mutual NDA v2');
    const byPath = await graph('GET', `/groups/${playbook}/drive/root:/Contracts/2026:/children`);
    assert.deepEqual(
      byPath.json.value.map((i: Json) => i.name),
      ['NDA.txt'],
    );
    const folder = await graph('GET', `/drives/${drive.json.id}/items/${first.json.id}`);
    assert.equal(folder.json.folder.childCount, 1);
    assert.equal(folder.json.size, 13);
    assert.match(folder.json.eTag, /^"\{[0-9A-F-]{36}\},\d+"$/);
    assert.equal((await graph('GET', `/groups/${playbook}/drive/root:/Nope.txt`)).status, 404);
    const tree = teamTree(contoso, playbook);
    const general = tree?.channels.find((c) => c.displayName === 'General');
    assert.ok(general?.files.some((f) => f.path === 'Templates/Press release template.txt'));
  });
});

describe('planner', () => {
  test('plans, labels, buckets, tasks, checklists; If-Match etags with 412 on a stale one', async () => {
    const [ada, grace] = users;
    assert.ok(ada && grace);
    const teamId = await newTeam('Planner Team', ada, [grace]);
    const plan = await graph('POST', '/planner/plans', {
      body: { container: { url: `https://graph.microsoft.com/v1.0/groups/${teamId}` }, title: 'Roadmap' },
    });
    assert.equal(plan.status, 201, plan.text);
    assert.ok(plan.json['@odata.etag']);
    assert.equal(plan.json.container.containerId, teamId);
    const details = await graph('GET', `/planner/plans/${plan.json.id}/details`);
    const etag = details.json['@odata.etag'] as string;
    assert.equal(
      (
        await graph('PATCH', `/planner/plans/${plan.json.id}/details`, {
          body: { categoryDescriptions: { category1: 'Red' } },
        })
      ).status,
      400,
    );
    const labelled = await graph('PATCH', `/planner/plans/${plan.json.id}/details`, {
      body: { categoryDescriptions: { category1: 'Urgent', category2: 'Later' } },
      headers: { 'If-Match': etag },
    });
    assert.equal(labelled.status, 204);
    const stale = await graph('PATCH', `/planner/plans/${plan.json.id}/details`, {
      body: { categoryDescriptions: { category1: 'Lost update' } },
      headers: { 'If-Match': etag },
    });
    assert.equal(stale.status, 412);
    const reread = await graph('GET', `/planner/plans/${plan.json.id}/details`);
    assert.equal(reread.json.categoryDescriptions.category1, 'Urgent');
    assert.notEqual(reread.json['@odata.etag'], etag);
    const bucket = await graph('POST', '/planner/buckets', {
      body: { name: 'Now', planId: plan.json.id, orderHint: ' !' },
    });
    assert.equal(bucket.status, 201);
    const task = await graph('POST', '/planner/tasks', {
      body: {
        planId: plan.json.id,
        bucketId: bucket.json.id,
        title: 'Ship it',
        appliedCategories: { category1: true },
        assignments: { [grace.id]: { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' } },
      },
    });
    assert.equal(task.status, 201, task.text);
    assert.deepEqual(Object.keys(task.json.assignments), [grace.id]);
    const taskDetails = await graph('GET', `/planner/tasks/${task.json.id}/details`);
    const checklistId = randomUUID();
    const patched = await graph('PATCH', `/planner/tasks/${task.json.id}/details`, {
      body: {
        checklist: {
          [checklistId]: {
            '@odata.type': 'microsoft.graph.plannerChecklistItem',
            title: 'Tests pass',
            isChecked: false,
          },
        },
      },
      headers: { 'If-Match': taskDetails.json['@odata.etag'], Prefer: 'return=representation' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.checklist[checklistId].title, 'Tests pass');
    const staleTask = await graph('PATCH', `/planner/tasks/${task.json.id}/details`, {
      body: { checklist: { [checklistId]: null } },
      headers: { 'If-Match': taskDetails.json['@odata.etag'] },
    });
    assert.equal(staleTask.status, 412);
    const tasks = await graph('GET', `/planner/plans/${plan.json.id}/tasks`);
    assert.equal(tasks.json.value.length, 1);
    assert.equal(tasks.json.value[0].checklistItemCount, 1);
    const buckets = await graph('GET', `/planner/plans/${plan.json.id}/buckets`);
    assert.deepEqual(
      buckets.json.value.map((b: Json) => b.name),
      ['Now'],
    );
    const plans = await graph('GET', `/groups/${teamId}/planner/plans`);
    assert.deepEqual(
      plans.json.value.map((p: Json) => p.title),
      ['Roadmap'],
    );
    const tree = teamTree(contoso, teamId);
    assert.deepEqual(
      tree?.plans[0]?.buckets[0]?.tasks.map((t) => t.title),
      ['Ship it'],
    );
  });
});

describe('activity reports and the seed', () => {
  test('getTeamsTeamActivityDetail: CSV (302 to a download) with the real columns; JSON on request', async () => {
    const res = await sb.fetch("/v1.0/reports/getTeamsTeamActivityDetail(period='D30')", {
      headers: { authorization: `Bearer ${appToken}` },
      redirect: 'manual',
    });
    assert.equal(res.status, 302);
    const csv = await (await sb.fetch(res.headers.get('location') ?? '')).text();
    const [header, ...rows] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(
      header,
      'Report Refresh Date,Team Name,Team Id,Team Type,Last Activity Date,Report Period,Active Users,Active Channels,Guests,Reactions,Meetings Organized,Post Messages,Reply Messages,Channel Messages,Urgent Messages,Mentions,Active Shared Channels,Active External Users',
    );
    const stale = rows.find((r) => r.includes(STALE_TEAM_NAME))?.split(',');
    assert.ok(stale);
    const staleDays = (Date.now() - Date.parse(stale[4] ?? '')) / 86_400_000;
    assert.ok(staleDays > 199 && staleDays < 202, `stale for ${staleDays} days`);
    assert.equal(stale[11], '0', 'no posts in the period');
    const json = await graph(
      'GET',
      "/reports/getTeamsTeamActivityDetail(period='D7')?$format=application/json",
    );
    assert.equal(json.status, 200);
    const playbook = json.json.value.find((r: Json) => r.teamName === PLAYBOOK_TEAM_NAME);
    assert.equal(playbook.details[0].reportPeriod, 7);
    assert.ok(playbook.details[0].postMessages > 0);
    assert.ok(Date.now() - Date.parse(playbook.lastActivityDate) < 3 * 86_400_000);
    assert.equal((await graph('GET', "/reports/getTeamsTeamActivityDetail(period='D8')")).status, 400);
    assert.equal(
      (
        await graph('GET', "/reports/getTeamsTeamActivityDetail(period='D7')", {
          token: await token(contoso, ['User.Read.All']),
        })
      ).status,
      403,
    );
  });

  test('the Contoso playbook team holds every kind of channel, tabs, files and a plan', async () => {
    const playbook = await teamIdOf(PLAYBOOK_TEAM_NAME);
    const tree = teamTree(contoso, playbook);
    assert.ok(tree);
    assert.deepEqual(
      new Set(tree.channels.map((c) => c.membershipType)),
      new Set(['standard', 'private', 'shared']),
    );
    const tabs = tree.channels.flatMap((c) => c.tabs.map((t) => t.appId));
    assert.ok(tabs.includes('com.microsoft.teamspace.tab.web'));
    assert.ok(tabs.includes('com.microsoft.teamspace.tab.planner'));
    assert.ok(tree.installedApps.some((a) => a.displayName === 'Trellis'));
    assert.ok(
      tree.channels
        .find((c) => c.membershipType === 'private')
        ?.files.some((f) => f.path === 'Budget notes.txt'),
    );
    const plan = tree.plans[0];
    assert.deepEqual(
      plan?.buckets.map((b) => b.name),
      ['Backlog', 'In progress', 'Done'],
    );
    assert.ok((plan?.buckets.flatMap((b) => b.tasks).length ?? 0) >= 4);
    const details = await graph('GET', `/planner/plans/${plan?.id}/details`);
    assert.equal(details.json.categoryDescriptions.category1, 'Marketing');
    const planTab = await graph(
      'GET',
      `/teams/${playbook}/channels/${encodeURIComponent(tree.channels.find((c) => c.displayName === 'Launch Planning')?.id ?? '')}/tabs`,
    );
    assert.equal(planTab.json.value[0].configuration.entityId, plan?.id);
    // Fabrikam's directory held one user: its seed still made the teams, with that user as owner.
    const fabTeams = listTeams(fabrikam);
    assert.ok(fabTeams.length >= 6);
  });
});
