import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { METADATA, upn } from '../helpers/provisioning.ts';
import { signInAs, type TestUser } from '../helpers/user-token.ts';
import { checkPage, signInInBrowser, startWebRig, watchConsole, type WebRig } from '../helpers/web.ts';

// The requester's and the approver's tabs in Chromium, over the embedded sandbox: Adele requests two
// teams, her manager Grady edits and approves one (the diff shown) and rejects the other in bulk;
// Adele watches the approved one provision live and follows the link to her new team.

const check = checkPage;

describe('the My requests and Approvals tabs', () => {
  let rig: WebRig;
  let adele: TestUser;
  const suffix = randomUUID().slice(0, 6);
  const approvedName = `Orion ${suffix}`;
  const rejectedName = `Vega ${suffix}`;

  before(async () => {
    rig = await startWebRig();
    adele = await signInAs(rig.trellis, upn('adele.vance'));
  });
  after(() => rig?.close());

  async function requestProject(name: string): Promise<string> {
    const created = await adele.call('POST', '/api/v1/requests', {
      template: 'project',
      name,
      description: 'Original description',
      metadata: METADATA.project,
      owners: [upn('lynne.robbins')],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'pending_approval');
    return created.body.requestId as string;
  }

  test(
    'approve with an edit, reject in bulk, watch provisioning live to the team link',
    { timeout: 240_000 },
    async () => {
      const approvedId = await requestProject(approvedName);
      const rejectedId = await requestProject(rejectedName);

      // Adele: her requests, then the one Grady will approve, left open to follow it live.
      const adeleContext = await rig.browser.newContext({ viewport: { width: 1024, height: 900 } });
      const mine = await adeleContext.newPage();
      const adeleProblems = watchConsole(mine);
      await signInInBrowser(mine, rig.trellis.url, upn('adele.vance'), 'requests');
      await mine.getByRole('heading', { level: 1, name: 'My requests and teams' }).waitFor();
      const row = mine.locator(`tr[data-request="${approvedId}"]`);
      await row.waitFor();
      assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'pending_approval');
      assert.equal(await mine.locator(`tr[data-request="${rejectedId}"]`).count(), 1);
      // The search narrows the list to one request.
      await mine.getByRole('searchbox', { name: 'Search requests' }).fill(`Vega ${suffix}`);
      await mine.locator(`tr[data-request="${approvedId}"]`).waitFor({ state: 'detached' });
      assert.equal(await mine.locator(`tr[data-request="${rejectedId}"]`).count(), 1);
      await check(mine, 'requests-list');
      await mine.getByRole('searchbox', { name: 'Search requests' }).fill('');
      await row.getByRole('link', { name: new RegExp(approvedName) }).click();
      await mine.getByRole('heading', { level: 1, name: new RegExp(approvedName) }).waitFor();
      await mine.getByText('Following live').waitFor();
      // Owners are stored by sign-in name and shown by their directory names.
      await mine.getByRole('definition').filter({ hasText: 'Adele Vance, Lynne Robbins' }).waitFor();
      await check(mine, 'requests-detail-pending');
      // A marker in the page: it must survive until completion (no reload).
      await mine.evaluate(() => {
        (globalThis as unknown as { liveMarker: string }).liveMarker = 'still here';
      });

      // Grady: the queue, the request, an edit with its diff, approve.
      const gradyContext = await rig.browser.newContext({ viewport: { width: 1024, height: 900 } });
      const queue = await gradyContext.newPage();
      const gradyProblems = watchConsole(queue);
      await signInInBrowser(queue, rig.trellis.url, upn('grady.archie'), 'approvals');
      await queue.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
      await queue.locator(`tr[data-request="${approvedId}"]`).waitFor();
      assert.equal(await queue.locator(`tr[data-request="${rejectedId}"]`).count(), 1);
      await check(queue, 'approvals-queue');

      await queue.getByRole('link', { name: new RegExp(approvedName) }).click();
      await queue.getByRole('heading', { level: 1, name: new RegExp(approvedName) }).waitFor();
      await queue.getByRole('button', { name: 'Edit before approving' }).click();
      await queue.getByRole('textbox', { name: 'Description' }).fill('Edited by the manager');
      const diffRow = queue.locator('tr[data-field="description"]');
      await diffRow.waitFor();
      assert.equal(await diffRow.locator('del').textContent(), 'Original description');
      assert.equal(await diffRow.locator('ins').textContent(), 'Edited by the manager');
      await queue.getByRole('table', { name: /Your changes against revision \d+/ }).waitFor();
      await check(queue, 'approvals-edit');
      await queue.getByRole('textbox', { name: 'Comment' }).fill('Clearer description');
      await queue.getByRole('button', { name: 'Approve with my edits' }).click();
      await queue.getByText(new RegExp(`^You approved PRJ - ${approvedName}.*\\.$`)).waitFor();

      // Back to the queue: rejecting needs a comment; then the other request is rejected in bulk.
      await queue.getByRole('link', { name: 'Back to approvals' }).click();
      await queue.locator(`tr[data-request="${rejectedId}"]`).waitFor();
      assert.equal(
        await queue.locator(`tr[data-request="${approvedId}"]`).count(),
        0,
        'decided: out of the queue',
      );
      await queue.getByRole('checkbox', { name: new RegExp(`Select PRJ - ${rejectedName}`) }).check();
      await queue.getByText('1 selected').waitFor();
      await queue.getByRole('button', { name: 'Reject selected' }).click();
      await queue.getByText('Say why you reject the request.').waitFor();
      await queue
        .getByRole('textbox', { name: 'Comment for the selected requests' })
        .fill('Duplicate of Orion');
      await queue.getByRole('button', { name: 'Reject selected' }).click();
      await queue.getByText(new RegExp(`${rejectedName}.*: rejected$`)).waitFor();
      await queue.getByText('1 of 1 decided').waitFor();
      await queue.getByText('Nothing to approve').waitFor();
      await check(queue, 'approvals-bulk-result');

      const rejected = await adele.call('GET', `/api/v1/requests/${rejectedId}`);
      assert.equal(rejected.body.status, 'rejected');
      assert.equal(rejected.body.stages[0].comment, 'Duplicate of Orion');
      const approved = await adele.call('GET', `/api/v1/requests/${approvedId}`);
      assert.equal(approved.body.description, 'Edited by the manager', 'the edit was applied');

      // Adele's open page follows the approval and the provisioning run to the end, with no reload.
      await mine.locator('[data-status="completed"]').first().waitFor({ timeout: 120_000 });
      const progress = mine.getByTestId('progress-status');
      assert.equal(await progress.getAttribute('aria-live'), 'polite');
      assert.match((await progress.textContent()) ?? '', /Completed · 100 %/);
      assert.equal(
        await mine.evaluate(() => (globalThis as unknown as { liveMarker?: string }).liveMarker),
        'still here',
      );
      assert.ok((await mine.locator('ol[aria-label="Log"] li').count()) > 3, 'the log streamed in');

      const done = await adele.call('GET', `/api/v1/requests/${approvedId}`);
      const teamId = done.body.teamId as string;
      assert.ok(teamId, 'the request names its team');
      const teamLink = mine.getByRole('link', { name: 'Open the team in Teams' });
      await teamLink.waitFor();
      const href = (await teamLink.getAttribute('href')) ?? '';
      assert.match(href, /^https:\/\/teams\.microsoft\.com\/l\/team\/19%3A[^/]+\/conversations\?/);
      assert.equal(new URL(href).searchParams.get('groupId'), teamId);
      const channel = mine.getByRole('link', { name: 'Open the General channel' });
      assert.match(
        (await channel.getAttribute('href')) ?? '',
        /^https:\/\/teams\.microsoft\.com\/l\/channel\//,
      );
      // The endpoint behind the links reads the team from Microsoft 365.
      const team = await adele.call('GET', `/api/v1/requests/${approvedId}/team`);
      assert.equal(team.status, 200, JSON.stringify(team.body));
      assert.equal(team.body.webUrl, href);
      assert.equal(team.body.exists, true);
      assert.equal(team.body.isArchived, false);
      assert.ok(team.body.owners >= 2, `owners: ${team.body.owners}`);
      assert.equal(team.body.minimumOwners, 2);
      // The activity shows the manager's edit as a diff.
      await mine.getByText('Grady Archie edited the request').waitFor();
      await check(mine, 'requests-detail-completed');

      // My teams: the new team with its template and governance status.
      await mine.getByRole('link', { name: 'Back to my requests' }).click();
      await mine.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'My teams' }).click();
      const card = mine
        .getByRole('listitem')
        .filter({ has: mine.getByRole('heading', { name: new RegExp(approvedName) }) });
      await card.waitFor();
      await card.getByText('project, version').waitFor();
      await card.getByText(/owners \(policy: at least 2\)/).waitFor();
      assert.equal(
        await card.getByRole('link', { name: 'Open the team in Teams' }).getAttribute('href'),
        href,
      );
      await check(mine, 'requests-teams');

      // Narrow screens: the request page still fits 360 px without horizontal scrolling of the page.
      await mine.setViewportSize({ width: 360, height: 800 });
      await mine.goto(`${rig.trellis.url}/tabs/requests/${approvedId}`);
      await mine.getByRole('heading', { level: 1, name: new RegExp(approvedName) }).waitFor();
      const overflow = await mine.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
      assert.ok(overflow <= 1, `horizontal overflow at 360 px: ${overflow}`);

      assert.deepEqual(adeleProblems, []);
      assert.deepEqual(gradyProblems, []);
      await adeleContext.close();
      await gradyContext.close();
    },
  );
});
