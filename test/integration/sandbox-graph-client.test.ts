import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { Client, GraphError, PageIterator } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { PLAYBOOK_TEAM_NAME } from '../../sandbox/graph/seed.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { createMsalNetworkClient } from '../../src/identity/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

/**
 * Conformance: Microsoft's own clients, unmodified, against the sandbox — MSAL gets the app token
 * (client credentials), the Graph JavaScript client makes the calls. Only configuration points them
 * here: authority and known authority, Graph base URL and custom host, and the sandbox CA.
 */
describe('official Graph client and MSAL against the sandbox', () => {
  let sandbox: TestSandbox;
  let graph: Client;
  let network: ReturnType<typeof createMsalNetworkClient>;

  before(async () => {
    sandbox = await startTestSandbox();
    const tenant = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
    const secret = tenant?.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID)?.secrets[0];
    assert.ok(secret);
    const host = new URL(sandbox.origin).host;
    network = createMsalNetworkClient({ ca: sandbox.caCert });
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: TRELLIS_CLIENT_ID,
        clientSecret: secret,
        authority: `${sandbox.origin}/${CONTOSO_TENANT_ID}`,
        knownAuthorities: [host],
      },
      system: { networkClient: network },
    });
    graph = Client.init({
      baseUrl: sandbox.origin,
      defaultVersion: 'v1.0',
      customHosts: new Set([new URL(sandbox.origin).hostname]),
      // Node's fetch takes an undici dispatcher: the sandbox CA is trusted, nothing is switched off.
      fetchOptions: { dispatcher: sandbox.dispatcher } as unknown as RequestInit,
      authProvider: (done) => {
        msal.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }).then(
          (r) => done(null, r?.accessToken ?? null),
          (e: Error) => done(e, null),
        );
      },
    });
  });
  after(async () => {
    await network?.close();
    await sandbox?.close();
  });

  test('PageIterator walks every page of users with $select and $top', async () => {
    const first = (await graph.api('/users').select(['id', 'displayName', 'department']).top(7).get()) as {
      value: MicrosoftGraph.User[];
      '@odata.nextLink'?: string;
    };
    assert.ok(first['@odata.nextLink'], 'more than one page');
    const seen: MicrosoftGraph.User[] = [];
    const iterator = new PageIterator(graph, first, (user: MicrosoftGraph.User) => {
      seen.push(user);
      return true;
    });
    await iterator.iterate();
    const expected = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID)?.directory.users.length;
    assert.equal(seen.length, expected);
    assert.equal(new Set(seen.map((u) => u.id)).size, seen.length, 'no user twice');
    assert.deepEqual(Object.keys(seen[0] ?? {}).sort(), ['department', 'displayName', 'id']);
  });

  test('$filter on groups finds the seeded teams, and a team reads with its settings', async () => {
    const teams = (await graph
      .api('/groups')
      .filter("resourceProvisioningOptions/Any(x:x eq 'Team')")
      .select(['id', 'displayName'])
      .get()) as { value: MicrosoftGraph.Group[] };
    const playbook = teams.value.find((g) => g.displayName === PLAYBOOK_TEAM_NAME);
    assert.ok(playbook?.id);
    const team = (await graph.api(`/teams/${playbook.id}`).get()) as MicrosoftGraph.Team;
    assert.equal(team.displayName, PLAYBOOK_TEAM_NAME);
    assert.equal(typeof team.memberSettings?.allowCreateUpdateChannels, 'boolean');
    const channels = (await graph.api(`/teams/${playbook.id}/channels`).get()) as {
      value: MicrosoftGraph.Channel[];
    };
    assert.deepEqual(
      new Set(channels.value.map((c) => c.membershipType)),
      new Set(['standard', 'private', 'shared']),
    );
  });

  test('POST creates a channel that reads back; a duplicate is a GraphError 409', async () => {
    const teams = (await graph.api('/groups').filter(`displayName eq '${PLAYBOOK_TEAM_NAME}'`).get()) as {
      value: MicrosoftGraph.Group[];
    };
    const teamId = teams.value[0]?.id;
    assert.ok(teamId);
    const created = (await graph.api(`/teams/${teamId}/channels`).post({
      displayName: 'Conformance',
      description: 'made by the Graph SDK',
      membershipType: 'standard',
    })) as MicrosoftGraph.Channel;
    assert.match(created.id ?? '', /^19:.+@thread\.tacv2$/);
    const back = (await graph.api(`/teams/${teamId}/channels/${created.id}`).get()) as MicrosoftGraph.Channel;
    assert.equal(back.description, 'made by the Graph SDK');
    await assert.rejects(
      graph.api(`/teams/${teamId}/channels`).post({ displayName: 'conformance', membershipType: 'standard' }),
      (e: unknown) => e instanceof GraphError && e.statusCode === 409 && e.code === 'NameAlreadyExists',
    );
  });

  test('Graph errors arrive as GraphError with status, code and request id', async () => {
    await assert.rejects(graph.api('/teams/00000000-0000-0000-0000-000000000000').get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 404);
      assert.ok(e.requestId);
      return true;
    });
  });
});
