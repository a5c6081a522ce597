import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { upn } from '../helpers/provisioning.ts';
import { getUserToken } from '../helpers/user-token.ts';
import {
  dashboardTile,
  checkPage,
  signInInBrowser,
  startWebRig,
  watchConsole,
  type WebRig,
} from '../helpers/web.ts';

// The whole journey through the five tabs in embedded mode, as a newcomer would try it: a requester
// asks for a team in the catalog, her manager approves it, she watches it being provisioned and
// follows the link into Teams; a catalog manager edits the template and sees the new version; the
// governance dashboard counts the new team. Each tab is screenshotted and checked with axe.

const tabDone = (page: Page, tab: string) => checkPage(page, `e2e-${tab}`);
const tile = dashboardTile;

describe('the five tabs, end to end', () => {
  let rig: WebRig;
  before(async () => {
    rig = await startWebRig();
  });
  after(() => rig?.close());

  test(
    'request → approve → provision → follow the link; edit a template; the dashboard counts the team',
    { timeout: 280_000 },
    async () => {
      const contextFor = async () => {
        const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
        // Following a Teams link leaves Trellis: Teams itself is out of reach here, so its answer is a stub.
        await context.route('https://teams.microsoft.com/**', (route) =>
          route.fulfill({
            contentType: 'text/html',
            body: '<!doctype html><title>Microsoft Teams</title><h1>Teams</h1>',
          }),
        );
        return context;
      };
      const governanceToken = await getUserToken(rig.trellis, upn('allan.deyoung'));
      const summary = async () => {
        const res = await rig.trellis.fetch('/api/v1/governance/summary', {
          headers: { authorization: `Bearer ${governanceToken}` },
        });
        assert.equal(res.status, 200);
        return (await res.json()) as { totals: { teams: number } };
      };
      const teamsBefore = (await summary()).totals.teams;

      // 1. Adele requests a team from the Project template in the catalog.
      const adeleContext = await contextFor();
      const adele = await adeleContext.newPage();
      const adeleProblems = watchConsole(adele);
      await signInInBrowser(adele, rig.trellis.url, upn('adele.vance'), 'catalog');
      await adele.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      await adele.getByRole('heading', { level: 2, name: 'Project' }).waitFor();
      await tabDone(adele, 'catalog');
      await adele
        .getByRole('heading', { level: 2, name: 'Project' })
        .getByRole('link', { name: 'Project' })
        .click();
      await adele.getByRole('button', { name: 'Request this team' }).click();
      await adele.getByRole('heading', { name: 'Step 1 of 6: Template' }).waitFor();
      await adele.getByRole('button', { name: 'Next' }).click();
      await adele.getByLabel('Team name').fill('Journey');
      await adele.getByText('The name is free.').waitFor();
      await adele.getByRole('button', { name: 'Next' }).click();
      await adele.getByRole('heading', { name: 'Step 3 of 6: Details' }).waitFor();
      await adele.getByLabel('Project code').fill('JRN-2026');
      await adele.getByLabel('Cost center').fill('CC-4242');
      await adele.getByLabel('Planned end date').fill('2027-03-31');
      await adele.getByLabel('Budget (EUR)').fill('90000');
      await adele.getByRole('combobox', { name: 'Data classification' }).click();
      await adele.getByRole('option', { name: 'Internal' }).click();
      await adele.getByRole('button', { name: 'Next' }).click();
      await adele.getByRole('heading', { name: 'Step 4 of 6: Owners and members' }).waitFor();
      await adele.getByRole('button', { name: 'Next' }).click();
      await adele.getByRole('heading', { name: 'Step 5 of 6: Welcome message' }).waitFor();
      await adele.getByRole('button', { name: 'Review' }).click();
      await adele.getByRole('heading', { name: 'Step 6 of 6: Review' }).waitFor();
      await adele.getByRole('button', { name: 'Submit request' }).click();
      const follow = adele.getByRole('link', { name: 'Follow this request in My requests' });
      await follow.waitFor();
      const requestId = /\/tabs\/requests\/([0-9a-f-]{36})$/.exec(
        (await follow.getAttribute('href')) ?? '',
      )?.[1];
      assert.ok(requestId, 'the confirmation links to the request');
      // She keeps its page open: it must follow the approval and the provisioning by itself.
      await follow.click();
      await adele.locator('[data-status="pending_approval"]').first().waitFor();
      await tabDone(adele, 'requests');

      // 2. Grady, her manager, approves it in the Approvals tab.
      const gradyContext = await contextFor();
      const grady = await gradyContext.newPage();
      const gradyProblems = watchConsole(grady);
      await signInInBrowser(grady, rig.trellis.url, upn('grady.archie'), 'approvals');
      await grady.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
      await grady.locator(`tr[data-request="${requestId}"]`).waitFor();
      await tabDone(grady, 'approvals');
      await grady.getByRole('link', { name: /Journey/ }).click();
      await grady.getByRole('heading', { level: 1, name: /Journey/ }).waitFor();
      await grady.getByRole('textbox', { name: 'Comment' }).fill('Go ahead');
      await grady.getByRole('button', { name: 'Approve', exact: true }).click();
      await grady.getByText(/^You approved PRJ - Journey/).waitFor();

      // 3. Adele's page shows the run to completion, then she follows the link into Teams.
      await adele.locator('[data-status="completed"]').first().waitFor({ timeout: 150_000 });
      const teamLink = adele.getByRole('link', { name: 'Open the team in Teams' });
      await teamLink.waitFor();
      const [teams] = await Promise.all([adele.context().waitForEvent('page'), teamLink.click()]);
      await teams.waitForLoadState();
      const opened = new URL(teams.url());
      assert.equal(opened.host, 'teams.microsoft.com');
      const request = (await (
        await rig.trellis.fetch(`/api/v1/requests/${requestId}`, {
          headers: { authorization: `Bearer ${await getUserToken(rig.trellis, upn('adele.vance'))}` },
        })
      ).json()) as { teamId: string; status: string };
      assert.equal(request.status, 'completed');
      assert.equal(opened.searchParams.get('groupId'), request.teamId, 'the link opens the new team');

      // 4. Lynne, a catalog manager, edits the template and sees the new version.
      const lynneContext = await contextFor();
      const lynne = await lynneContext.newPage();
      const lynneProblems = watchConsole(lynne);
      await signInInBrowser(lynne, rig.trellis.url, upn('lynne.robbins'), 'admin');
      await lynne.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
      await lynne
        .getByRole('navigation', { name: 'Admin sections' })
        .getByRole('tab', { name: 'Templates' })
        .click();
      await lynne.getByRole('table', { name: 'Templates' }).getByRole('link', { name: 'Project' }).click();
      await lynne.getByRole('heading', { name: 'Project', level: 2 }).waitFor();
      const description = lynne.getByRole('textbox', { name: 'Description', exact: true });
      await description.fill(`${await description.inputValue()} Now with a journey.`);
      await lynne.getByRole('textbox', { name: 'Comment for the version history' }).fill('Journey note');
      await lynne.getByRole('button', { name: 'Save new version' }).click();
      const saved = await lynne.getByText(/^Saved as version \d+/).textContent();
      const version = Number(/version (\d+)/.exec(saved ?? '')?.[1]);
      await lynne.getByRole('tab', { name: 'History' }).click();
      await lynne
        .getByRole('table', { name: 'Versions' })
        .getByRole('row')
        .filter({ hasText: `${version} (current)` })
        .filter({ hasText: 'Journey note' })
        .waitFor();
      await tabDone(lynne, 'admin');

      // 5. Allan, a governance admin: the dashboard counts the new team.
      const allanContext = await contextFor();
      const allan = await allanContext.newPage();
      const allanProblems = watchConsole(allan);
      await signInInBrowser(allan, rig.trellis.url, upn('allan.deyoung'), 'governance');
      await allan.getByRole('heading', { level: 1, name: 'Governance' }).waitFor();
      await allan.getByRole('group', { name: 'Teams provisioned' }).waitFor();
      assert.equal(await tile(allan, 'Teams provisioned'), teamsBefore + 1);
      await tabDone(allan, 'governance');

      assert.deepEqual([...adeleProblems, ...gradyProblems, ...lynneProblems, ...allanProblems], []);
      for (const context of [adeleContext, gradyContext, lynneContext, allanContext]) await context.close();
    },
  );
});
