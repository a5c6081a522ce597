import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { upn } from '../helpers/provisioning.ts';
import { getUserToken, sandboxClient } from '../helpers/user-token.ts';
import { checkPage, signInInBrowser, startWebRig, watchConsole, type WebRig } from '../helpers/web.ts';

// The catalog tab in a plain browser, as a requester: search the catalog, open the Project
// template, go through the request wizard (a naming conflict shown then fixed, a member picked with
// the people picker), submit, and find the request in the API with what was entered. Then the
// French UI. Each page is checked with axe and saved as a screenshot.

const CONTOSO = 'contoso.onmicrosoft.com';

const check = (page: Page, name: string) => checkPage(page, `catalog-${name}`);

/** A Microsoft 365 group created in the sandbox's directory, as any other app would (Graph). */
async function createGroup(rig: WebRig, displayName: string, mailNickname: string): Promise<void> {
  const client = await sandboxClient(rig.trellis);
  try {
    const tenant = client.endpoints.tenants.find((t) => t.domain.toLowerCase() === CONTOSO);
    const app = client.endpoints.tenants.find((t) => t.trellisApp)?.trellisApp;
    assert.ok(tenant && app, 'the sandbox publishes Contoso and Trellis’s app');
    const token = await client.fetch(`/${tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
    });
    assert.equal(token.status, 200, await token.clone().text());
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const created = await client.fetch('/v1.0/groups', {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        displayName,
        mailNickname,
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: ['Unified'],
        visibility: 'Private',
      }),
    });
    assert.equal(created.status, 201, await created.text());
  } finally {
    await client.close();
  }
}

/** The API as the signed-in user sees it (a real user token from the sandbox). */
async function apiAs(rig: WebRig, user: string) {
  const token = await getUserToken(rig.trellis, user);
  return async (path: string) => {
    const res = await rig.trellis.fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
}

describe('the catalog tab', () => {
  let rig: WebRig;
  before(async () => {
    rig = await startWebRig();
    // A team outside Trellis already has the nickname the first name would get.
    await createGroup(rig, 'Apollo programme', 'prj-apollo');
  });
  after(() => rig?.close());

  test(
    'a requester finds the Project template and requests a team through the wizard',
    { timeout: 180_000 },
    async () => {
      const context = await rig.browser.newContext({
        locale: 'en-US',
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signInInBrowser(page, rig.trellis.url, upn('adele.vance'), 'catalog');

      // The catalog: search with no match, then a match.
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      const project = page.getByRole('heading', { level: 2, name: 'Project' });
      await project.waitFor();
      await check(page, 'home');
      const search = page.getByLabel('Search templates');
      await search.fill('no such template');
      await page.getByText('No template matches').waitFor();
      assert.equal(await project.count(), 0);
      await check(page, 'home-empty');
      await search.fill('delivery team');
      await project.waitFor();
      await page.getByRole('status').filter({ hasText: 'Templates shown: 1' }).waitFor({ state: 'attached' });
      assert.equal(await page.getByRole('heading', { level: 2 }).count(), 1, 'only Project matches');
      const category = page.getByLabel('Category');
      assert.deepEqual(
        (await category.locator('option').allTextContents()).slice(1),
        ['Projects'],
        'the categories the requester may use',
      );
      await project.getByRole('link', { name: 'Project' }).click();

      // The template's page: channels of every kind, the plan, apps, the screenshot.
      await page.waitForURL('**/tabs/catalog/project');
      await page.getByRole('heading', { level: 1, name: 'Project' }).waitFor();
      for (const text of ['Steering committee', 'Partners', 'Planning', 'OneNote', 'Project plan']) {
        await page.getByText(text, { exact: true }).first().waitFor();
      }
      await page.getByText('Private', { exact: true }).first().waitFor();
      await page.getByText('Shared', { exact: true }).first().waitFor();
      await page.getByText('Initiation (tasks: 2)').waitFor();
      const shot = page.getByRole('img', { name: 'Screenshot 1 of a team made from Project' });
      await shot.waitFor();
      await page.waitForFunction('[...document.images].every((img) => img.complete)');
      assert.ok(
        await shot.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
        'the screenshot loads',
      );
      await check(page, 'template');
      await page.getByRole('button', { name: 'Request this team' }).click();

      // Step 1: the template, chosen already.
      await page.waitForURL('**/tabs/catalog/project/request');
      await page.getByRole('heading', { name: 'Step 1 of 6: Template' }).waitFor();
      await check(page, 'wizard-template');
      await page.getByRole('button', { name: 'Next' }).click();

      // Step 2: the name, with the live naming preview; the first name is taken.
      const nameHeading = page.getByRole('heading', { name: 'Step 2 of 6: Name' });
      await nameHeading.waitFor();
      assert.ok(
        await nameHeading.evaluate((h) =>
          (h as unknown as { matches(s: string): boolean }).matches(':focus'),
        ),
        'focus moves to the step',
      );
      const name = page.getByLabel('Team name');
      await name.fill('Apollo');
      await page.getByText('The group Apollo programme already uses the mail nickname prj-apollo.').waitFor();
      await page.getByText('PRJ - Apollo (Engineering)').waitFor();
      await check(page, 'wizard-name-conflict');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('The mail nickname prj-apollo is already taken: choose another name.').waitFor();
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
      await name.fill('Apollo Phoenix');
      await page.getByText('prj-apollo-phoenix', { exact: true }).waitFor();
      await page.getByText('The name is free.').waitFor();
      await page.getByRole('button', { name: 'Next' }).click();

      // Step 3: the metadata form, with inline validation.
      await page.getByRole('heading', { name: 'Step 3 of 6: Details' }).waitFor();
      await page.getByLabel('Project code').fill('apollo');
      await page.getByLabel('Cost center').fill('CC-1234');
      await page.getByLabel('Planned end date').fill('2027-06-30');
      await page.getByLabel('Budget (EUR)').fill('250000');
      await page.getByRole('combobox', { name: 'Data classification' }).click();
      await page.getByRole('option', { name: 'Internal' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Three capitals and four digits', { exact: false }).first().waitFor();
      const code = page.getByLabel('Project code');
      await page.locator('input[aria-invalid="true"]').first().waitFor();
      assert.equal(await code.getAttribute('aria-invalid'), 'true', 'the error is on the field');
      await check(page, 'wizard-details-error');
      await code.fill('APO-2026');
      await page.getByRole('button', { name: 'Next' }).click();

      // Step 4: owners and members, with the people picker over the directory.
      await page.getByRole('heading', { name: 'Step 4 of 6: Owners and members' }).waitFor();
      const members = page.getByRole('combobox', { name: 'Members' });
      await members.fill('Grady');
      const grady = page.getByRole('option', { name: /Grady Archie/ });
      await grady.waitFor();
      await check(page, 'wizard-people-search');
      await grady.click();
      await page.getByLabel('Selected: Members').getByText('Grady Archie').waitFor();
      await page.keyboard.press('Escape');
      await check(page, 'wizard-people');
      await page.getByRole('button', { name: 'Next' }).click();

      // Step 5: the welcome message.
      await page.getByRole('heading', { name: 'Step 5 of 6: Welcome message' }).waitFor();
      await page
        .getByRole('textbox', { name: 'Welcome message' })
        .fill('Welcome to Apollo Phoenix, see the charter first.');
      await check(page, 'wizard-welcome');
      await page.getByRole('button', { name: 'Review' }).click();

      // Step 6: the review, with the server's final names and approvers.
      await page.getByRole('heading', { name: 'Step 6 of 6: Review' }).waitFor();
      await page.getByText('PRJ - Apollo Phoenix (Engineering)').waitFor();
      await page.getByText('Grady Archie', { exact: true }).first().waitFor();
      // Grady is both the member adele picked and her manager, the approver of the one stage.
      assert.equal(await page.getByText('Grady Archie', { exact: true }).count(), 2);
      await page.getByText('APO-2026', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Edit Details' }).waitFor();
      await check(page, 'wizard-review');
      await page.getByRole('button', { name: 'Submit request' }).click();

      // The confirmation links to the request.
      const heading = page.getByRole('heading', { name: 'Request submitted' });
      await heading.waitFor();
      const follow = page.getByRole('link', { name: 'Follow this request in My requests' });
      const href = (await follow.getAttribute('href')) ?? '';
      const requestId = /^\/tabs\/requests\/([0-9a-f-]{36})$/.exec(href)?.[1];
      assert.ok(requestId, `a link to the request: ${href}`);
      await page.getByText(`Request ${requestId} is waiting for approval.`).waitFor();
      await check(page, 'wizard-done');

      // The request holds what adele entered.
      const get = await apiAs(rig, upn('adele.vance'));
      const request = await get(`/requests/${requestId}`);
      const gradyUser = await get(`/directory/users/${encodeURIComponent(upn('grady.archie'))}`);
      assert.equal(request.status, 'pending_approval');
      assert.equal(request.name, 'Apollo Phoenix');
      assert.equal((request.template as { slug: string }).slug, 'project');
      assert.deepEqual(request.metadata, {
        projectCode: 'APO-2026',
        costCenter: 'CC-1234',
        endDate: '2027-06-30',
        budget: 250000,
        dataClassification: 'internal',
      });
      assert.deepEqual(request.members, [gradyUser.id]);
      assert.equal(request.welcomeMessage, 'Welcome to Apollo Phoenix, see the charter first.');
      assert.equal((request.names as { mailNickname: string }).mailNickname, 'prj-apollo-phoenix');
      assert.deepEqual(problems, []);
      await context.close();
    },
  );

  test(
    'the catalog speaks French to a French user, down to a narrow screen',
    { timeout: 120_000 },
    async () => {
      const context = await rig.browser.newContext({
        locale: 'fr-FR',
        viewport: { width: 360, height: 800 },
      });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signInInBrowser(page, rig.trellis.url, upn('christie.cline'), 'catalog');
      await page.getByRole('heading', { level: 1, name: 'Catalogue' }).waitFor();
      await page.getByLabel('Rechercher des modèles').waitFor();
      await page.getByRole('heading', { level: 2, name: 'Event' }).waitFor();
      await page.getByRole('button', { name: 'Demander cette équipe : Event' }).waitFor();
      await page.getByLabel('Catégorie').waitFor();
      await page.getByLabel('Rechercher des modèles').fill('aucun modèle de ce nom');
      await page.getByText('Aucun modèle ne correspond').waitFor();
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 360, `no horizontal scrolling at 360 px (${width})`);
      await check(page, 'home-fr');
      assert.deepEqual(problems, []);
      await context.close();
    },
  );
});
