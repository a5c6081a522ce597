import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { ROLE_SCOPES } from '../../src/api/caller.ts';
import {
  loadManifestSchema,
  type TeamsAppManifest,
  validateManifest,
} from '../../src/teams/manifest/index.ts';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { createTestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { sandboxEndpoints, signInAs, type TestUser } from '../helpers/user-token.ts';

const contoso = (nick: string) => `${nick}@contoso.onmicrosoft.com`;
const manifestOf = (zip: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(unzipSync(zip)['manifest.json'])) as TeamsAppManifest;

describe('GET /api/v1/teams-app/package: the Teams app package for tenant admins', () => {
  let trellis: TestTrellis;
  let admin: TestUser; // Trellis.TenantAdmin in Contoso
  let requester: TestUser; // no app role: requester only
  let catalogManager: TestUser;
  let clientId: string;

  /** The package route as `bearer` calls it, body as bytes. */
  const download = async (bearer: string | undefined) => {
    const res = await trellis.fetch('/api/v1/teams-app/package', {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });
    return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
  };

  before(async () => {
    // The sandbox registers Trellis's redirect URIs and App ID URI on the embedded default origin.
    trellis = await startTestTrellis({ PUBLIC_URL: 'https://localhost:8443' }, { sandbox: true });
    const app = (await sandboxEndpoints(trellis)).tenants.find((t) => t.trellisApp)?.trellisApp;
    assert.ok(app, 'the sandbox publishes the Trellis app');
    clientId = app.clientId;
    admin = await signInAs(trellis, contoso('cameron.white'));
    requester = await signInAs(trellis, contoso('adele.vance'));
    catalogManager = await signInAs(trellis, contoso('lynne.robbins'));
  });
  after(() => trellis.close());

  test('a tenant admin downloads a valid zip for the running deployment', async () => {
    const res = await download(admin.token);
    assert.equal(res.status, 200, new TextDecoder().decode(res.body));
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="trellis-teams-app.zip"');
    assert.deepEqual(Object.keys(unzipSync(res.body)).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = manifestOf(res.body);
    assert.equal(manifest.id, clientId, "the sandbox's Entra app is the Teams app");
    assert.equal(manifest.bots?.[0]?.botId, clientId);
    assert.deepEqual(manifest.validDomains, ['localhost:8443']);
    assert.equal(manifest.staticTabs?.[0]?.contentUrl, 'https://localhost:8443/tabs/catalog?inTeams=1');
    assert.deepEqual(await validateManifest(manifest), []);
    assert.ok(await loadManifestSchema());
  });

  test('the manifest route answers the same manifest as JSON', async () => {
    const json = await admin.call('GET', '/api/v1/teams-app/manifest');
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(json.body, manifestOf((await download(admin.token)).body));
  });

  test('requesters and other roles get 403; no credential gets 401', async () => {
    for (const user of [requester, catalogManager]) {
      const res = await download(user.token);
      assert.equal(res.status, 403, user.upn);
      const problem = JSON.parse(new TextDecoder().decode(res.body)) as { code: string; detail: string };
      assert.equal(problem.code, 'forbidden');
      assert.match(problem.detail, /roles:manage/);
      assert.equal((await user.call('GET', '/api/v1/teams-app/manifest')).status, 403, user.upn);
    }
    assert.equal((await download(undefined)).status, 401);
  });

  test('API tokens: only one with the admin scope (roles:manage) gets the package', async () => {
    const asRequester = await createTestTenant(trellis, {
      entraTenantId: CONTOSO_TENANT_ID,
      scopes: ROLE_SCOPES.requester,
    });
    assert.equal((await download(asRequester.token)).status, 403);
    const integration = await createTestTenant(trellis, {
      entraTenantId: CONTOSO_TENANT_ID,
      scopes: ROLE_SCOPES.integration_manager,
    });
    assert.equal((await download(integration.token)).status, 403);
    const adminToken = await createTestTenant(trellis, {
      entraTenantId: CONTOSO_TENANT_ID,
      scopes: ['roles:manage'],
    });
    assert.equal((await download(adminToken.token)).status, 200);
  });
});

describe('the package route without Microsoft 365', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis();
  });
  after(() => trellis.close());

  test('409, telling the admin what to set', async () => {
    const admin = await createTestTenant(trellis);
    for (const route of ['/api/v1/teams-app/package', '/api/v1/teams-app/manifest']) {
      const res = await admin.call('GET', route);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.code, 'conflict');
      assert.match(res.body.detail, /set M365_TENANT_ID, M365_CLIENT_ID and M365_CLIENT_SECRET/);
    }
  });
});

describe('trellis manifest', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const bin = path.join(root, 'bin', 'trellis.js');
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-manifest-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const trellis = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, ENV_FILE: '', DATA_DIR: path.join(dir, 'data'), ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  const m365 = {
    PUBLIC_URL: 'https://trellis.contoso.com',
    M365_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    M365_CLIENT_ID: '7a1d5e2f-8b3c-4d9e-a6f0-11e11150a001',
    M365_CLIENT_SECRET: 'secret',
  };

  test('--out writes the zip; --print writes the manifest to stdout', () => {
    const r = trellis(['manifest', '--out', 'app.zip', '--print'], {
      ...m365,
      TEAMS_APP_NAME: 'Contoso Teams',
      TEAMS_VALID_DOMAINS: 'intranet.contoso.com',
    });
    assert.equal(r.status, 0, r.stderr);
    const zip = new Uint8Array(readFileSync(path.join(dir, 'app.zip')));
    assert.deepEqual(Object.keys(unzipSync(zip)).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const printed = JSON.parse(r.stdout) as TeamsAppManifest;
    assert.deepEqual(printed, manifestOf(zip));
    assert.equal(printed.name.short, 'Contoso Teams');
    assert.deepEqual(printed.validDomains, ['trellis.contoso.com', 'intranet.contoso.com']);
    assert.match(r.stderr, /Wrote .*app\.zip/);

    const quiet = trellis(['manifest', '--out', 'quiet.zip'], m365);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.match(quiet.stdout, /^Wrote .*quiet\.zip \(\d+ bytes\): Teams app 7a1d5e2f-/);
  });

  test('without Microsoft 365: one line naming the setting, exit 2, no file', () => {
    const r = trellis(['manifest', '--out', 'none.zip'], {});
    assert.equal(r.status, 2);
    assert.match(r.stderr.trim(), /^trellis: M365_CLIENT_ID: is required for the Teams app package/);
    assert.equal(existsSync(path.join(dir, 'none.zip')), false);
  });

  test('a bad setting is refused before anything is built (exit 2)', () => {
    const r = trellis(['manifest', '--out', 'bad.zip'], { ...m365, TEAMS_VALID_DOMAINS: 'https://x.com' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^trellis: TEAMS_VALID_DOMAINS: "https:\/\/x\.com" is not a host name/);
  });
});
