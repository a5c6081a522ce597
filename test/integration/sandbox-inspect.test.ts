import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CONTOSO_DOMAIN,
  CONTOSO_TENANT_ID,
  seedContoso,
  TRELLIS_CLIENT_ID,
} from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { seededMember } from '../helpers/directory.ts';
import { sendCardToUser } from '../helpers/connector.ts';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

/** The shapes this test reads back from the inspection API. */
interface TenantView {
  id: string;
  domain: string;
  apps: {
    clientId: string;
    secrets?: unknown;
    secretCount: number;
    redirectUris: string[];
    adminConsented: boolean;
  }[];
  bots: { appId: string }[];
  endpoints: Record<string, string>;
}
interface UserView {
  id: string;
  displayName: string;
  userPrincipalName: string;
  botInstallation: string;
}
interface ActivityView {
  name: string | null;
  replyToId: string | null;
  from: { aadObjectId?: string };
  value: unknown;
  delivery: { status: number } | null;
}

/** Trellis's app registration with a client secret (seeded, or brought by the test until it is). */
function trellisApp(tenant: TenantState) {
  let app = tenant.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID);
  if (!app) {
    app = {
      clientId: TRELLIS_CLIENT_ID,
      displayName: 'Trellis',
      secrets: ['test-secret-Q8~never-listed'],
      identifierUris: [`api://localhost/${TRELLIS_CLIENT_ID}`],
      exposedScopes: ['access_as_user'],
      appRoles: ['Group.ReadWrite.All'],
      adminConsented: true,
      redirectUris: ['https://localhost:8443/auth/callback'],
      preAuthorizedClientIds: ['5e3ce6c0-2b1f-4285-8d4b-75ee78787346'],
    };
    tenant.directory.apps.push(app);
  }
  return app;
}

describe('inspection API and page', () => {
  let sandbox: TestSandbox;
  let tenant: TenantState;

  before(async () => {
    sandbox = await startTestSandbox();
    const contoso = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
    assert.ok(contoso, 'the Contoso tenant is seeded');
    tenant = contoso;
  });
  after(() => sandbox.close());

  const json = async <T = { error: { code: string } }>(
    p: string,
    init?: { method: string; body?: unknown },
  ) => {
    const response = await sandbox.fetch(p, {
      method: init?.method ?? 'GET',
      ...(init && init.method !== 'GET'
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body ?? {}) }
        : {}),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };

  /** Sends a card into a user's 1:1 through the Connector, as Trellis would. */
  const sendCard = (user: DirectoryUser, text: string) =>
    sendCardToUser(sandbox, tenant, user, {
      body: [{ type: 'TextBlock', text, weight: 'Bolder', wrap: true }],
      actions: [{ type: 'Action.Execute', title: 'Approve', verb: 'approve', data: { requestId: 7 } }],
    });

  test('tenants list apps without secrets and the endpoint of every service', async () => {
    const app = trellisApp(tenant);
    const response = await sandbox.fetch('/sandbox/api/tenants');
    const text = await response.text();
    for (const secret of tenant.directory.apps.flatMap((a) => a.secrets)) {
      assert.equal(text.includes(secret), false, 'a client secret leaked into the tenants listing');
    }
    const contoso = (JSON.parse(text) as { value: TenantView[] }).value.find(
      (t) => t.id === CONTOSO_TENANT_ID,
    );
    assert.ok(contoso);
    assert.equal(contoso.domain, CONTOSO_DOMAIN);
    const listed = contoso.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID);
    assert.ok(listed);
    assert.equal(listed.secrets, undefined);
    assert.equal(listed.secretCount, app.secrets.length);
    assert.deepEqual(listed.redirectUris, app.redirectUris);
    assert.equal(listed.adminConsented, app.adminConsented);
    const o = sandbox.origin;
    assert.deepEqual(
      {
        authority: contoso.endpoints.authority,
        token: contoso.endpoints.token,
        jwks: contoso.endpoints.jwks,
        graph: contoso.endpoints.graph,
        botOpenIdMetadata: contoso.endpoints.botOpenIdMetadata,
        connector: contoso.endpoints.connector,
        keyVault: contoso.endpoints.keyVault,
      },
      {
        authority: o,
        token: `${o}/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`,
        jwks: `${o}/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`,
        graph: `${o}/v1.0`,
        botOpenIdMetadata: `${o}/v1/.well-known/openidconfiguration`,
        connector: `${o}/`,
        keyVault: o,
      },
    );
    assert.equal(contoso.bots[0]?.appId, TRELLIS_CLIENT_ID);

    // The one deliberate reveal, for Trellis's embedded start.
    const secretPath = (clientId: string) =>
      `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/apps/${clientId}/secret`;
    const revealed = await json<{ clientSecret: string }>(secretPath(TRELLIS_CLIENT_ID), { method: 'POST' });
    assert.equal(revealed.status, 200);
    assert.equal(revealed.body.clientSecret, app.secrets[0]);
    assert.equal(revealed.headers.get('cache-control'), 'no-store');
    const unknownApp = await json(secretPath('00000000-0000-0000-0000-000000000000'), { method: 'POST' });
    assert.equal(unknownApp.status, 404);
    assert.equal((await json('/sandbox/api/tenants/nope/users')).status, 404);
  });

  test('users are listed with their bot installation state', async () => {
    const user = seededMember(tenant);
    const { body } = await json<{ value: UserView[] }>(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/users`);
    const listed = body.value.find((u) => u.id === user.id);
    assert.ok(listed);
    assert.equal(listed.displayName, user.displayName);
    assert.equal(listed.userPrincipalName, user.userPrincipalName);
    assert.equal(listed.botInstallation, 'installed');
    // Listing by domain works too.
    const byDomain = await json<{ value: UserView[] }>(`/sandbox/api/tenants/${CONTOSO_DOMAIN}/users`);
    assert.equal(byDomain.body.value.length, body.value.length);
  });

  test('the page renders Contoso users and a recorded Adaptive Card, and its buttons act as a user', async () => {
    // .ci/run installs both from Debian (chromium, libnss3-tools); a missing one fails the test.
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    const certutil = await run('certutil', ['-H']).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    );
    assert.ok(
      certutil,
      'certutil is missing (apt-get install -y libnss3-tools): it trusts the sandbox CA in Chromium',
    );
    const user = seededMember(tenant);
    const { id: conversationId, activityId } = await sendCard(user, 'Team request "Falcon" awaits approval');
    // Nothing listens on this port: the press is recorded and reported as undeliverable.
    const probe = https.createServer();
    await new Promise<void>((resolve) => probe.listen(0, 'localhost', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await json(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
      method: 'PUT',
      body: { endpoint: `https://localhost:${closedPort}/api/messages` },
    });

    const { browser, close } = await launchChromium([sandbox.sandbox.caPath]);
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      const response = await page.goto(`${sandbox.origin}/sandbox`);
      assert.equal(response?.status(), 200);
      assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);

      await page.locator('#users li', { hasText: user.displayName }).waitFor();
      assert.equal(await page.locator('#tenant option:checked').textContent(), `Contoso (${CONTOSO_DOMAIN})`);

      await page.locator('#conversations button', { hasText: `1:1 with ${user.displayName}` }).click();
      const card = page.locator(`#conversation [data-activity-id="${activityId}"] .ac-adaptiveCard`);
      await card.waitFor();
      assert.match((await card.textContent()) ?? '', /Team request "Falcon" awaits approval/);

      // Pressing Action.Execute goes to act/card-action as the chosen user.
      await page.locator('#acting-user').selectOption(user.id);
      await card.getByRole('button', { name: 'Approve' }).click();
      await page.locator('#bot-answer h3').waitFor();
      const recorded = await json<{ activities: ActivityView[] }>(
        `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/conversations/${encodeURIComponent(conversationId)}`,
      );
      const press = recorded.body.activities.find((a) => a.name === 'adaptiveCard/action');
      assert.ok(press, 'the click was delivered as an adaptiveCard/action invoke');
      assert.equal(press.replyToId, activityId);
      assert.equal(press.from.aadObjectId, user.id);
      assert.partialDeepStrictEqual(press.value, { action: { verb: 'approve', data: { requestId: 7 } } });
      assert.equal(press.delivery?.status, 0);

      const unexpected = problems.filter((p) => !/Failed to load resource/.test(p));
      assert.deepEqual(unexpected, [], 'no script errors or CSP violations');
    } finally {
      await close();
    }
  });

  test('the renderer bundle is served from the adaptivecards package; unknown assets are 404', async () => {
    const bundle = await sandbox.fetch('/sandbox/assets/adaptivecards.js');
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.match(await bundle.text(), /AdaptiveCards/);
    assert.equal((await sandbox.fetch('/sandbox/assets/..%2Fstate.json')).status, 404);
    assert.equal((await sandbox.fetch('/sandbox/assets/toString')).status, 404);
  });

  test('reset returns the world to the seed and keeps the bot registration', async () => {
    const user = seededMember(tenant);
    await sendCard(user, 'before reset');
    const endpoint = 'https://localhost:9443/api/messages';
    await json(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, { method: 'PUT', body: { endpoint } });
    const conversations = () =>
      json<{ value: unknown[] }>(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/conversations`);
    assert.ok((await conversations()).body.value.length > 0);

    // A form post (what another web page could send without a CORS preflight) is refused.
    const form = await sandbox.fetch('/sandbox/api/reset', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    assert.equal(form.status, 415);
    assert.ok((await conversations()).body.value.length > 0, 'nothing was reset');

    const reset = await json<{ tenants: unknown }>('/sandbox/api/reset', { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.deepEqual(
      reset.body.tenants,
      seedContoso().map((t) => ({ id: t.id, domain: t.domain })),
      'every seeded tenant (Contoso, and Fabrikam without consent) is back',
    );
    assert.ok((reset.body.tenants as { id: string }[]).some((t) => t.id === CONTOSO_TENANT_ID));
    assert.deepEqual((await conversations()).body.value, []);
    const users = (await json<{ value: UserView[] }>(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/users`)).body
      .value;
    assert.deepEqual(
      users.map((u) => u.id),
      seedContoso().flatMap((t) => (t.id === CONTOSO_TENANT_ID ? t.directory.users.map((u) => u.id) : [])),
    );
    const bots = (await json<{ value: { appId: string; endpoint: string }[] }>('/sandbox/api/bots')).body
      .value;
    assert.equal(bots.find((b) => b.appId === TRELLIS_CLIENT_ID)?.endpoint, endpoint);
  });
});
