import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { METADATA, upn } from '../helpers/provisioning.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { sandboxClient, signInAs } from '../helpers/user-token.ts';

// Embedded mode as a newcomer runs it (`npm start`): Trellis with its own sandbox. In the sandbox
// page, a manager installs Trellis, sees the approval card the bot sent, and approves from it.

const ADELE = upn('adele.vance');
const GRADY = upn('grady.archie');

describe('embedded mode: approving from the card rendered in /sandbox', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis({}, { sandbox: true });
  });
  after(() => trellis.close());

  test(
    'install from the page, receive the card, press Approve; Edit opens a dialog that approves with the edits',
    { timeout: 180_000 },
    async () => {
      const sandbox = await sandboxClient(trellis);
      const { browser, close } = await launchChromium([sandbox.endpoints.caPath]);
      try {
        const users = (await (
          await sandbox.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/users`)
        ).json()) as {
          value: { id: string; userPrincipalName: string; displayName: string }[];
        };
        const grady = users.value.find((u) => u.userPrincipalName === GRADY);
        assert.ok(grady);

        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        await page.goto(`${sandbox.endpoints.origin}/sandbox`);

        // Grady installs Trellis: Teams tells the bot, which greets him and remembers the chat.
        await page.getByLabel(`Bot installation for ${grady.displayName}`).selectOption('installed');
        const chat = page.locator('#conversations button', { hasText: `1:1 with ${grady.displayName}` });
        await chat.waitFor({ timeout: 30_000 });

        // Adele asks for a team in the Trellis API (the tab will do the same).
        const adele = await signInAs(trellis, ADELE);
        const created = await adele.call('POST', '/api/v1/requests', {
          template: 'project',
          name: 'Falcon',
          metadata: METADATA.project,
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const requestId = created.body.requestId as string;

        // The approval card appears in Grady's chat (the page polls the sandbox).
        await chat.click();
        const card = page.locator('#conversation .ac-adaptiveCard', { hasText: 'Approval needed' });
        await card.waitFor({ timeout: 60_000 });
        assert.match((await card.textContent()) ?? '', /Falcon/);
        await page.locator('#acting-user').selectOption(grady.id);
        await card.getByRole('button', { name: 'Approve' }).click();
        await page.locator('#bot-answer h3').waitFor();

        const view = await adele.call('GET', `/api/v1/requests/${requestId}`);
        assert.ok(['approved', 'provisioning', 'completed'].includes(view.body.status), view.body.status);
        assert.equal(view.body.stages[0].decidedBy.id, grady.id);
        // The card in the chat now shows the decision, without buttons.
        const decided = page.locator('#conversation .ac-adaptiveCard', {
          hasText: 'Approved by Grady Archie',
        });
        await decided.first().waitFor({ timeout: 30_000 });
        assert.equal(await decided.first().getByRole('button', { name: 'Approve' }).count(), 0);

        // Edit opens a dialog (task/fetch); submitting it approves with the edits (task/submit).
        const second = await adele.call('POST', '/api/v1/requests', {
          template: 'project',
          name: 'Kestrel draft',
          metadata: METADATA.project,
        });
        assert.equal(second.status, 201, JSON.stringify(second.body));
        const pending = page.locator('#conversation .ac-adaptiveCard', { hasText: 'Kestrel draft' });
        await pending.getByRole('button', { name: 'Edit' }).waitFor({ timeout: 60_000 });
        await pending.getByRole('button', { name: 'Edit' }).click();
        const dialog = page.locator('#bot-answer .ac-adaptiveCard');
        await dialog.getByLabel('Team name').waitFor();
        await dialog.getByLabel('Team name').fill('Kestrel');
        await dialog.getByRole('button', { name: 'Save and approve' }).click();
        await page.locator('#bot-answer pre', { hasText: 'Approved by Grady Archie' }).waitFor();
        const edited = await adele.call('GET', `/api/v1/requests/${second.body.requestId as string}`);
        assert.equal(edited.body.name, 'Kestrel');
        assert.notEqual(edited.body.status, 'pending_approval');
        assert.deepEqual(problems, []);
      } finally {
        await close();
        await sandbox.close();
      }
    },
  );
});
