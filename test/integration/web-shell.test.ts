import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { upn } from '../helpers/provisioning.ts';
import {
  seriousAxeViolations,
  signInInBrowser,
  startWebRig,
  watchConsole,
  type WebRig,
} from '../helpers/web.ts';

// The tabs' shell in a plain browser: Entra sign-in (code + PKCE, through the sandbox's account
// picker), the session cookie traded for API tokens, the navigation by role, sign-out.

describe('the web app shell', () => {
  let rig: WebRig;
  before(async () => {
    rig = await startWebRig();
  });
  after(() => rig?.close());

  test(
    'a requester signs in, sees the tabs a requester has, and signs out',
    { timeout: 120_000 },
    async () => {
      const page = await rig.browser.newPage();
      const problems = watchConsole(page);
      await page.goto(`${rig.trellis.url}/tabs/requests`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(await seriousAxeViolations(page), []);

      await signInInBrowser(page, rig.trellis.url, upn('adele.vance'), 'requests');
      const nav = page.getByRole('navigation', { name: 'Trellis sections' });
      await nav.getByRole('link', { name: 'My requests' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'My requests' }).getAttribute('aria-current'), 'page');
      assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0, 'a requester has no Admin tab');
      assert.equal(await nav.getByRole('link', { name: 'Governance' }).count(), 0);
      assert.deepEqual(await seriousAxeViolations(page), [], 'the signed-in shell passes axe');

      // The browser holds no token in storage: only the HttpOnly session cookie.
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === '__Host-trellis-session');
      assert.ok(session?.httpOnly && session.secure && session.sameSite === 'Lax');
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
      assert.doesNotMatch(stored, /eyJ/, 'no JWT in web storage');

      // Without the app's header, the token endpoint refuses (a cross-site page cannot add it).
      const refused = await page.evaluate(
        async () => (await fetch('/auth/token', { method: 'POST' })).status,
      );
      assert.equal(refused, 403);
      problems.length = 0; // the browser logs that deliberate 403

      await page.getByRole('button', { name: 'Adele Vance' }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.waitForURL(/signedOut=1/);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(
        (await page.context().cookies()).some((c) => c.name === '__Host-trellis-session'),
        false,
      );
      assert.deepEqual(problems, []);
    },
  );

  test('a tenant admin sees every tab; the privacy page needs no sign-in', { timeout: 120_000 }, async () => {
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rig.trellis.url}/privacy`);
    await page.getByRole('heading', { name: 'Privacy' }).waitFor();
    await signInInBrowser(page, rig.trellis.url, upn('cameron.white'), 'catalog');
    const nav = page.getByRole('navigation', { name: 'Trellis sections' });
    for (const name of ['Catalog', 'My requests', 'Approvals', 'Governance', 'Admin']) {
      await nav.getByRole('link', { name }).waitFor();
    }
    await context.close();
  });

  test('a forged sign-in callback is refused', async () => {
    const res = await rig.trellis.fetch('/auth/callback?code=abc&state=forged', { redirect: 'manual' });
    assert.equal(res.status, 401);
    const open = await rig.trellis.fetch('/auth/signin?returnTo=//evil.example/x', { redirect: 'manual' });
    assert.equal(open.status, 302);
    const location = new URL(open.headers.get('location') ?? '');
    // The return path is kept server-side; an off-site one is replaced by the catalog.
    assert.equal(location.searchParams.get('redirect_uri'), `${rig.trellis.url}/auth/callback`);
  });
});
