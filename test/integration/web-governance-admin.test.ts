import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { METADATA, upn } from '../helpers/provisioning.ts';
import { signInAs } from '../helpers/user-token.ts';
import {
  SHOTS,
  dashboardTile,
  checkPage,
  signInInBrowser,
  startWebRig,
  watchConsole,
  type WebRig,
} from '../helpers/web.ts';

// The Governance tab (governance admin) and the Admin tab's operations sections (tenant admin), in
// Chromium against embedded Trellis and its sandbox: what the pages show is what the API says.

/** The little of the DOM these checks touch (the test project has no DOM types). */
interface DomLike {
  querySelector(selector: string): unknown;
}

const check = checkPage;
const tile = dashboardTile;

describe('the governance and admin tabs', () => {
  let rig: WebRig;
  const names = [`Gov check ${Date.now()}`, `Gov check ${Date.now()} bis`];

  before(async () => {
    rig = await startWebRig();
    const adele = await signInAs(rig.trellis, upn('adele.vance'));
    for (const name of names) {
      const created = await adele.call('POST', '/api/v1/requests', {
        template: 'project',
        name,
        metadata: METADATA.project,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'pending_approval');
    }
  });
  after(() => rig?.close());

  test('a governance admin reads the dashboard and filters the audit log', { timeout: 120_000 }, async () => {
    const allan = await signInAs(rig.trellis, upn('allan.deyoung'));
    const summary = await allan.call('GET', '/api/v1/governance/summary');
    assert.equal(summary.status, 200, JSON.stringify(summary.body));
    assert.ok(summary.body.totals.pending >= 2);

    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchConsole(page);
    await signInInBrowser(page, rig.trellis.url, upn('allan.deyoung'), 'governance');
    await page.getByRole('heading', { level: 1, name: 'Governance' }).waitFor();
    await page.getByRole('group', { name: 'Pending approval' }).waitFor();
    assert.equal(await tile(page, 'Pending approval'), summary.body.totals.pending);
    assert.equal(await tile(page, 'Teams provisioned'), summary.body.totals.teams);
    assert.equal(await tile(page, 'Failed requests'), summary.body.totals.failed);
    const pending = page.getByRole('table', { name: 'Pending requests' });
    for (const name of names) await pending.getByRole('link', { name, exact: true }).waitFor();
    // Charts load in their own chunk; each has its data as a table for screen readers.
    const byStatus = page.getByRole('table', { name: 'Requests by status' });
    await byStatus.waitFor({ state: 'attached' });
    assert.equal(
      await byStatus
        .getByRole('row', { name: new RegExp(`Pending approval ${summary.body.totals.pending}`) })
        .count(),
      1,
    );
    await page.locator('svg').first().waitFor();
    await check(page, 'governance-dashboard');

    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.waitForURL(/\/tabs\/governance\/audit$/);
    await page.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
    await page.getByRole('textbox', { name: 'Action' }).fill('request.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const audit = page.getByRole('table', { name: 'Audit log' });
    await audit.getByText('request.created').first().waitFor();
    const actions = await audit.locator('tbody tr td:nth-child(3)').allTextContents();
    assert.ok(actions.length >= 2, 'the two requests are in the trail');
    assert.ok(
      actions.every((a) => a.startsWith('request.')),
      `only request events: ${actions.join(', ')}`,
    );
    await page
      .getByRole('status')
      .filter({ hasText: /events on page 1/ })
      .waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await download).path()) ?? '', 'utf8');
    assert.match(csv.split('\n')[0] ?? '', /action/);
    assert.match(csv, /request\.created/);
    await check(page, 'governance-audit');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(
    'a tenant admin creates a token and a webhook, reads its deliveries, downloads the app, opens the network page',
    { timeout: 150_000 },
    async () => {
      const context = await rig.browser.newContext({
        viewport: { width: 1280, height: 900 },
        acceptDownloads: true,
      });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signInInBrowser(page, rig.trellis.url, upn('cameron.white'), 'admin');
      await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
      const sections = page.getByRole('navigation', { name: 'Admin sections' });

      // Roles: a person is picked from the directory and shown by name, then the grant is removed.
      await sections.getByRole('tab', { name: 'Roles' }).click();
      await page.waitForURL(/\/tabs\/admin\/roles$/);
      const userForm = page.getByRole('form', { name: 'Give a role to a user' });
      await userForm.getByRole('button', { name: 'Give a role to a user' }).click();
      await userForm.getByText('Pick a person from the directory.').waitFor();
      await userForm.getByRole('combobox', { name: 'User' }).fill('Megan');
      await page.getByRole('option', { name: /Megan Bowen/ }).click();
      await page.keyboard.press('Escape');
      await userForm.getByRole('combobox', { name: 'Role' }).selectOption('governance_admin');
      await userForm.getByRole('button', { name: 'Give a role to a user' }).click();
      const grants = page.getByRole('table', { name: 'Users' });
      const megansRow = grants.getByRole('row', { name: /Megan Bowen/ });
      await megansRow.waitFor();
      const cameron = await signInAs(rig.trellis, upn('cameron.white'));
      const assignments = await cameron.call('GET', '/api/v1/roles/assignments');
      const megan = (await cameron.call('GET', `/api/v1/directory/users/${upn('megan.bowen')}`)).body;
      assert.ok(
        assignments.body.items.some(
          (a: { principalId: string; role: string }) =>
            a.principalId === megan.id && a.role === 'governance_admin',
        ),
        'the grant names Megan by her object id',
      );
      await check(page, 'admin-roles');
      await megansRow.getByRole('button', { name: /Remove/ }).click();
      await megansRow.waitFor({ state: 'detached' });

      // API token: the secret once, then never again.
      await sections.getByRole('tab', { name: 'API tokens' }).click();
      await page.waitForURL(/\/tabs\/admin\/tokens$/);
      await page.getByRole('heading', { level: 2, name: 'API tokens' }).waitFor();
      await page.getByRole('button', { name: 'New token' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('textbox', { name: 'Name' }).fill('CI export');
      await dialog.getByRole('checkbox', { name: 'catalog:read' }).check();
      await dialog.getByRole('button', { name: 'Create token' }).click();
      const secretBox = dialog.getByRole('textbox', { name: 'API token' });
      await secretBox.waitFor().catch(async (error: unknown) => {
        await page.screenshot({ path: `${SHOTS}/admin-token-failure.png` });
        throw error;
      });
      const secret = await secretBox.inputValue();
      assert.match(secret, /^trl_/);
      await dialog.getByText('it will not be shown again').waitFor();
      await check(page, 'admin-token-created');
      await dialog.getByRole('button', { name: 'I have copied it' }).click();
      await dialog.waitFor({ state: 'detached' });
      const tokens = page.getByRole('table', { name: 'API tokens' });
      await tokens.getByRole('row', { name: /CI export/ }).waitFor();
      assert.ok(!(await page.content()).includes(secret), 'the token is gone from the page');
      await check(page, 'admin-tokens');

      // Webhook: created (secret once), pinged, its delivery log read.
      await sections.getByRole('tab', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'New webhook' }).click();
      await dialog.getByRole('textbox', { name: 'Endpoint URL' }).fill('https://hooks.example.com/trellis');
      await dialog.getByRole('checkbox', { name: 'All events' }).waitFor();
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      assert.match(await dialog.getByRole('textbox', { name: 'Signing secret' }).inputValue(), /^whsec_/);
      await dialog.getByRole('button', { name: 'I have copied it' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'https://hooks.example.com/trellis' }).click();
      await page.getByRole('heading', { level: 2, name: 'https://hooks.example.com/trellis' }).waitFor();
      await page.getByRole('button', { name: 'Send a ping' }).click();
      const log = page.getByRole('table', { name: 'Delivery log' });
      await log.getByRole('cell', { name: 'webhook.ping' }).waitFor();
      await log.getByRole('button', { name: 'Redeliver' }).waitFor();
      await check(page, 'admin-webhook-deliveries');

      // The Teams app package: a zip.
      await sections.getByRole('tab', { name: 'Teams app' }).click();
      await page.getByRole('table', { name: 'Manifest' }).waitFor();
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download the app package' }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /\.zip$/);
      const zip = await readFile((await file.path()) ?? '');
      assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK');
      await page.getByRole('status').filter({ hasText: 'was downloaded' }).waitFor();
      await check(page, 'admin-app-package');

      // Network & security: the certificate report, the allowlist and the diagram.
      await sections.getByRole('tab', { name: 'Network & security' }).click();
      await page
        .getByRole('table', { name: 'Certificate' })
        .getByRole('row', { name: /^SPKI pin / })
        .waitFor();
      assert.ok((await page.getByRole('table', { name: 'Domain allowlist' }).getByRole('row').count()) > 1);
      const diagram = page.getByRole('img', { name: /Diagram of the network flows/ });
      await diagram.waitFor();
      await page.waitForFunction(
        () =>
          (
            (globalThis as unknown as { document: DomLike }).document.querySelector(
              'img[src="/network/flows.svg"]',
            ) as { naturalWidth?: number } | null
          )?.naturalWidth ?? 0,
      );
      await check(page, 'admin-network');

      // At 360 px the section list is a dropdown.
      await page.setViewportSize({ width: 360, height: 800 });
      const picker = page.getByRole('combobox', { name: 'Admin sections' });
      await picker.selectOption('tokens');
      await page.waitForURL(/\/tabs\/admin\/tokens$/);
      await page.getByRole('heading', { level: 2, name: 'API tokens' }).waitFor();
      await check(page, 'admin-narrow');
      assert.deepEqual(problems, []);
      await context.close();
    },
  );
});
