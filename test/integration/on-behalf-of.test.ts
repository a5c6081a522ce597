import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { callApi } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { joinDemoTeam, sandboxClient, signInAs, type TestUser } from '../helpers/user-token.ts';

const contoso = (nick: string) => `${nick}@contoso.onmicrosoft.com`;

interface SandboxTeam {
  id: string;
  displayName: string;
  members: { userId: string; roles: string[] }[];
}

/**
 * Graph on behalf of the signed-in user: Trellis exchanges the user's own token for Trellis's API
 * (on-behalf-of) for a delegated Graph token at the sandbox's Entra, and Graph answers with that
 * user's rights. Where it decides: the teams a user may pick to capture as a template.
 */
describe("on-behalf-of: Graph with the signed-in user's own rights", () => {
  let trellis: TestTrellis;
  let lynne: TestUser;
  let sandbox: Awaited<ReturnType<typeof sandboxClient>>;
  let teams: SandboxTeam[];
  let lynneId: string;

  const sandboxJson = async (method: string, path: string, body?: unknown) => {
    const response = await sandbox.fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(response.status, 200, `${method} ${path}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const setConsent = (change: { revokeGraphDelegated?: string[]; grantGraphDelegated?: string[] }) =>
    sandboxJson('PATCH', `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/apps/${TRELLIS_CLIENT_ID}`, change);

  before(async () => {
    trellis = await startTestTrellis({ PUBLIC_URL: 'https://localhost:8443' }, { sandbox: true });
    sandbox = await sandboxClient(trellis);
    lynne = await signInAs(trellis, contoso('lynne.robbins'));
    const me = await lynne.call('GET', '/api/v1/me');
    lynneId = me.body.principal.id;
    // Lynne is in no demo team: an owner adds her to one.
    await joinDemoTeam(trellis, 'Contoso Launch Playbook', contoso('lynne.robbins'));
    const list = (await sandboxJson('GET', `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams`)) as {
      value: { id: string }[];
    };
    teams = await Promise.all(
      list.value.map(
        async (t) =>
          (await sandboxJson(
            'GET',
            `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams/${t.id}`,
          )) as unknown as SandboxTeam,
      ),
    );
  });
  after(async () => {
    await sandbox.close();
    await trellis.close();
  });

  test("GET /me/teams lists exactly the teams the user is in, as the sandbox's Graph knows them", async () => {
    const mine = teams.filter((t) => t.members.some((m) => m.userId === lynneId));
    assert.ok(mine.length >= 1, 'the demo tenant has a team with Lynne in it');
    assert.ok(teams.length > mine.length, 'and teams without her');
    const listed = await lynne.call('GET', '/api/v1/me/teams');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.items.map((t: { teamId: string }) => t.teamId).sort(),
      mine.map((t) => t.id).sort(),
    );
    const first = listed.body.items[0];
    assert.deepEqual(Object.keys(first).sort(), ['description', 'displayName', 'isArchived', 'teamId']);

    // An API token acts for no user: a clear 400, not an app-only answer.
    const admin = await signInAs(trellis, contoso('cameron.white'));
    const created = await admin.call('POST', '/api/v1/tokens', { name: 'obo', scopes: ['templates:write'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const byToken = await callApi(trellis, created.body.token, 'GET', '/api/v1/me/teams');
    assert.equal(byToken.status, 400);
    assert.equal(byToken.body.code, 'bad_request');
  });

  test('a user captures only a team they are in; an API token captures any team', async () => {
    const theirs = teams.find((t) => t.members.some((m) => m.userId === lynneId));
    const foreign = teams.find((t) => !t.members.some((m) => m.userId === lynneId));
    assert.ok(theirs && foreign);
    const refused = await lynne.call('POST', '/api/v1/templates/capture', {
      teamId: foreign.id,
      slug: 'not-lynnes',
      name: 'Not Lynne’s',
    });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'forbidden');
    assert.match(refused.body.detail, /member/);
    const templates = await lynne.call('GET', '/api/v1/templates?limit=100');
    assert.equal(
      templates.body.items.some((t: { slug: string }) => t.slug === 'not-lynnes'),
      false,
      'nothing was saved',
    );

    const captured = await lynne.call('POST', '/api/v1/templates/capture', {
      teamId: theirs.id.toUpperCase(),
      slug: 'lynnes-team',
      name: 'Lynne’s team',
    });
    assert.equal(captured.status, 201, JSON.stringify(captured.body));
    assert.equal(captured.body.slug, 'lynnes-team');
    // She sees the team's standard channels, not its private and shared ones she is not in: they are
    // left out, without even their names. An API token captures every channel.
    type Channel = { displayName: string; membershipType: string };
    const namesOf = (document: { channels: Channel[] }) => document.channels.map((c) => c.displayName);
    const hidden = await sandboxJson('GET', `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams/${theirs.id}`);
    const privateChannels = (hidden.channels as (Channel & { members?: { userId: string }[] })[]).filter(
      (c) => c.membershipType !== 'standard' && !(c.members ?? []).some((m) => m.userId === lynneId),
    );
    assert.ok(privateChannels.length >= 1, 'the team has a private or shared channel without Lynne');
    for (const c of privateChannels)
      assert.equal(namesOf(captured.body.document).includes(c.displayName), false);
    assert.ok(
      captured.body.warnings.includes(
        `${privateChannels.length} private or shared ${privateChannels.length === 1 ? 'channel' : 'channels'} you are not a member of ${privateChannels.length === 1 ? 'was' : 'were'} left out`,
      ),
      JSON.stringify(captured.body.warnings),
    );
    assert.equal(JSON.stringify(captured.body).includes(privateChannels[0]?.displayName ?? '?'), false);

    const admin = await signInAs(trellis, contoso('cameron.white'));
    const created = await admin.call('POST', '/api/v1/tokens', {
      name: 'capture',
      scopes: ['templates:write'],
    });
    const byToken = await callApi(trellis, created.body.token, 'POST', '/api/v1/templates/capture', {
      teamId: foreign.id,
      slug: 'by-token',
      name: 'By token',
    });
    assert.equal(byToken.status, 201, JSON.stringify(byToken.body));
    const everything = await callApi(trellis, created.body.token, 'POST', '/api/v1/templates/capture', {
      teamId: theirs.id,
      slug: 'lynnes-team-whole',
      name: 'Lynne’s team, whole',
    });
    assert.equal(everything.status, 201, JSON.stringify(everything.body));
    for (const c of privateChannels) assert.ok(namesOf(everything.body.document).includes(c.displayName));
  });

  test('without consent to Team.ReadBasic.All: 403 consent_required naming the permission and the consent start', async () => {
    const revoked = await setConsent({ revokeGraphDelegated: ['Team.ReadBasic.All'] });
    assert.equal((revoked.graphDelegated as string[]).includes('Team.ReadBasic.All'), false);
    try {
      // A new sign-in: a delegated token issued before the revocation stays valid until it expires,
      // in Entra as here (MSAL caches it per assertion).
      const again = await signInAs(trellis, contoso('lynne.robbins'));
      const listed = await again.call('GET', '/api/v1/me/teams');
      assert.equal(listed.status, 403, JSON.stringify(listed.body));
      assert.equal(listed.body.code, 'consent_required');
      assert.deepEqual(listed.body.errors, {
        scopes: ['Team.ReadBasic.All'],
        consentUrl: '/api/v1/onboarding/consent',
      });
      assert.match(listed.body.detail, /administrator/);
      const theirs = teams.find((t) => t.members.some((m) => m.userId === lynneId));
      assert.ok(theirs);
      const capture = await again.call('POST', '/api/v1/templates/capture', {
        teamId: theirs.id,
        slug: 'without-consent',
        name: 'Without consent',
      });
      assert.equal(capture.status, 403);
      assert.equal(capture.body.code, 'consent_required');
    } finally {
      await setConsent({ grantGraphDelegated: ['Team.ReadBasic.All'] });
    }
    const restored = await signInAs(trellis, contoso('lynne.robbins'));
    assert.equal(
      (await restored.call('GET', '/api/v1/me/teams')).status,
      200,
      'granted again, it works again',
    );
  });
});
