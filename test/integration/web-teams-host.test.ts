import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { upn } from '../helpers/provisioning.ts';
import { joinDemoTeam, sandboxClient, sandboxEndpoints } from '../helpers/user-token.ts';
import { seriousAxeViolations, SHOTS, startWebRig, watchConsole, type WebRig } from '../helpers/web.ts';

// The tabs inside Teams: the sandbox's Teams web client frames a tab, answers Teams JS over
// postMessage and hands it an SSO token (as Teams does with getAuthToken); Trellis validates that
// token like any Entra token. No sign-in page, the Teams theme followed live.

describe('a tab inside the Teams client', () => {
  let rig: WebRig;
  let sandboxOrigin: string;
  before(async () => {
    rig = await startWebRig();
    sandboxOrigin = (await sandboxEndpoints(rig.trellis)).origin;
  });
  after(() => rig?.close());

  const tabUrl = (tab: string, user: string, extra: Record<string, string> = {}) =>
    `${sandboxOrigin}/sandbox/teams/tab?${new URLSearchParams({
      tenant: CONTOSO_TENANT_ID,
      user,
      app: TRELLIS_CLIENT_ID,
      url: `${rig.trellis.url}/tabs/${tab}?inTeams=1`,
      ...extra,
    })}`;

  test(
    'SSO through Teams JS: the tab calls the API as the Teams user, without a sign-in page',
    { timeout: 120_000 },
    async () => {
      const page = await rig.browser.newPage();
      // Microsoft's CDN, where Teams JS reads the valid Teams hosts, is out of reach here: serve its answer.
      await page.route('https://res.cdn.office.net/**', (route) =>
        route.fulfill({
          json: { validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com', '*.cloud.microsoft'] },
        }),
      );
      const problems = watchConsole(page);
      const apiCalls: { url: string; status: number; azp?: string }[] = [];
      page.on('response', async (response) => {
        if (!response.url().includes('/api/v1/me')) return;
        const auth = (await response.request().headerValue('authorization')) ?? '';
        const payload = auth.split('.')[1];
        const claims = payload
          ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { azp?: string })
          : {};
        apiCalls.push({
          url: response.url(),
          status: response.status(),
          ...(claims.azp ? { azp: claims.azp } : {}),
        });
      });
      await page.goto(tabUrl('catalog', upn('adele.vance')));
      const tab = page.frameLocator('#tab');
      await page.getByRole('status').filter({ hasText: 'Tab loaded' }).waitFor({ timeout: 30_000 });
      await tab.locator('#main').waitFor();
      assert.equal(await tab.getByRole('button', { name: 'Sign in' }).count(), 0);
      // Inside Teams the navigation is Teams' own: the shell shows no tab list of its own.
      assert.equal(await tab.getByRole('navigation', { name: 'Trellis sections' }).count(), 0);
      const me = apiCalls.find((c) => c.status === 200);
      assert.ok(me, `the tab called /api/v1/me successfully: ${JSON.stringify(apiCalls)}`);
      assert.equal(
        me.azp,
        '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
        'the token is the Teams web client’s SSO token',
      );

      // Teams' theme switch reaches the tab at once.
      const background = () =>
        tab
          .locator('.fui-FluentProvider')
          .first()
          .evaluate(
            (el) =>
              (
                (el as unknown as { ownerDocument: { defaultView: unknown } }).ownerDocument.defaultView as {
                  getComputedStyle(e: unknown): { backgroundColor: string };
                }
              ).getComputedStyle(el).backgroundColor,
          );
      const light = await background();
      await page.getByLabel('Theme').selectOption('dark');
      for (let i = 0; i < 50 && (await background()) === light; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.notEqual(await background(), light, 'the dark theme applies');
      const frame = page.frame({ url: /\/tabs\/catalog/ });
      assert.ok(frame);
      assert.deepEqual(
        await seriousAxeViolations(frame as unknown as Parameters<typeof seriousAxeViolations>[0]),
        [],
      );
      assert.deepEqual(problems, []);
    },
  );

  test(
    "Graph on the user's behalf from the tab: the capture page lists the user's own teams; without consent it says who can grant it",
    { timeout: 180_000 },
    async () => {
      const sandbox = await sandboxClient(rig.trellis);
      const setConsent = async (change: Record<string, string[]>) => {
        const res = await sandbox.fetch(
          `/sandbox/api/tenants/${CONTOSO_TENANT_ID}/apps/${TRELLIS_CLIENT_ID}`,
          {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(change),
          },
        );
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      };
      try {
        // Lynne (catalog manager) is in no demo team: an owner adds her to one.
        await joinDemoTeam(rig.trellis, 'Contoso Launch Playbook', upn('lynne.robbins'));

        const page = await rig.browser.newPage();
        await page.route('https://res.cdn.office.net/**', (route) =>
          route.fulfill({ json: { validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com'] } }),
        );
        const problems = watchConsole(page);
        await page.goto(tabUrl('admin/templates/capture', upn('lynne.robbins')));
        const tab = page.frameLocator('#tab');
        const picker = tab.getByRole('combobox', { name: 'Team' });
        await picker
          .locator('option', { hasText: 'Contoso Launch Playbook' })
          .waitFor({ state: 'attached', timeout: 30_000 });
        // Her teams only (the one she was added to), not every team Trellis's app could read.
        const options = await picker.locator('option').allTextContents();
        assert.deepEqual(options.slice(1), ['Contoso Launch Playbook']);
        assert.deepEqual(problems, []);
        await page.close();

        // An admin revokes Trellis's delegated Team.ReadBasic.All: the next SSO token's on-behalf-of
        // exchange fails with AADSTS65001, and the tab explains it rather than showing an empty list.
        await setConsent({ revokeGraphDelegated: ['Team.ReadBasic.All'] });
        const again = await rig.browser.newPage();
        await again.route('https://res.cdn.office.net/**', (route) =>
          route.fulfill({ json: { validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com'] } }),
        );
        await again.goto(tabUrl('admin/templates/capture', upn('lynne.robbins')));
        const tabAgain = again.frameLocator('#tab');
        await tabAgain.getByText('Your organisation’s consent is needed').waitFor({ timeout: 30_000 });
        await tabAgain.getByText(/Team\.ReadBasic\.All/).waitFor();
        const grant = tabAgain.getByRole('link', { name: 'Grant consent (administrators)' });
        assert.equal(await grant.getAttribute('href'), '/api/v1/onboarding/consent');
        assert.equal(await grant.getAttribute('target'), '_blank');
        const frame = again.frame({ url: /\/tabs\/admin/ });
        assert.ok(frame);
        assert.deepEqual(
          await seriousAxeViolations(frame as unknown as Parameters<typeof seriousAxeViolations>[0]),
          [],
        );
        await again.screenshot({ path: `${SHOTS}/teams-capture-consent.png` });
      } finally {
        await setConsent({ grantGraphDelegated: ['Team.ReadBasic.All'] });
        await sandbox.close();
      }
    },
  );

  test('a French Teams user gets the tab in French', { timeout: 120_000 }, async () => {
    const page = await rig.browser.newPage();
    await page.goto(tabUrl('requests', upn('christie.cline')));
    const tab = page.frameLocator('#tab');
    await tab.locator('html[lang="fr"]').waitFor({ timeout: 30_000 });
  });

  test('the Teams client frames the tabs only from hosts the page policy names', async () => {
    const res = await rig.trellis.fetch('/tabs/catalog');
    const csp = res.headers.get('content-security-policy') ?? '';
    await res.body?.cancel();
    assert.match(csp, /frame-ancestors 'self' teams\.microsoft\.com /);
    assert.ok(csp.includes(sandboxOrigin), 'embedded mode admits the sandbox Teams client');
  });
});
