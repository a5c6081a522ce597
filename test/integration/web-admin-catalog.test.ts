import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { upn } from '../helpers/provisioning.ts';
import { getUserToken } from '../helpers/user-token.ts';
import { checkPage, signInInBrowser, startWebRig, watchConsole, type WebRig } from '../helpers/web.ts';

// The Admin tab's catalog sections in a plain browser, as a catalog manager: edit a starter
// template in the form and save a version, see it in the history with its diff, break and fix the
// document in the code view, upload an icon, run a plan; create a metadata field; preview naming
// rules and test a CEL rule. Each page is checked with axe and saved as a screenshot.

const check = (page: Page, name: string) => checkPage(page, `admin-catalog-${name}`);

/** A small square PNG, drawn here (the bytes the server must then serve back). */
function makePng(): Buffer {
  const png = new PNG({ width: 48, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    const pixel = i / 4;
    png.data[i] = (pixel * 7) % 256;
    png.data[i + 1] = 120;
    png.data[i + 2] = 200;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

describe('the Admin tab: templates, metadata fields, naming and approval policies', () => {
  let rig: WebRig;
  before(async () => {
    rig = await startWebRig();
  });
  after(() => rig?.close());

  test(
    'a catalog manager edits, versions, checks, illustrates and plans a template',
    { timeout: 180_000 },
    async () => {
      const manager = upn('lynne.robbins');
      const token = await getUserToken(rig.trellis, manager);
      const apiGet = async (path: string) => {
        const res = await rig.trellis.fetch(`/api/v1${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, `${path}: ${res.status}`);
        return res;
      };
      const before = (await (await apiGet('/templates/project')).json()) as {
        currentVersion: number;
        document: { description: string };
      };

      const page = await rig.browser.newPage();
      const problems = watchConsole(page);
      await signInInBrowser(page, rig.trellis.url, manager, 'admin');
      const sections = page.getByRole('navigation', { name: 'Admin sections' });
      await sections.getByRole('tab', { name: 'Templates' }).click();

      // The list: every template with its status.
      await page.getByRole('heading', { name: 'Templates', level: 2 }).waitFor();
      const list = page.getByRole('table', { name: 'Templates' });
      await list.getByRole('link', { name: 'Project' }).waitFor();
      assert.ok((await list.getByRole('row').count()) >= 5, 'the starter templates are listed');
      await check(page, 'templates');

      // The form: change the description, save a new version with a comment.
      await list.getByRole('link', { name: 'Project' }).click();
      await page.getByRole('heading', { name: 'Project', level: 2 }).waitFor();
      const description = page.getByRole('textbox', { name: 'Description', exact: true });
      assert.equal(await description.inputValue(), before.document.description);
      const edited = `${before.document.description} Edited in the browser.`;
      await description.fill(edited);
      await page.getByText('Unsaved changes').waitFor();
      await page
        .getByRole('textbox', { name: 'Comment for the version history' })
        .fill('Clearer description');
      await check(page, 'template-form');
      await page.getByRole('button', { name: 'Save new version' }).click();
      const saved = before.currentVersion + 1;
      await page.getByText(`Saved as version ${saved}`).waitFor();
      const after1 = (await (await apiGet('/templates/project')).json()) as typeof before;
      assert.equal(after1.currentVersion, saved);
      assert.equal(after1.document.description, edited);

      // History: the new version, its comment, and the diff showing the change.
      await page.getByRole('tab', { name: 'History' }).click();
      const versions = page.getByRole('table', { name: 'Versions' });
      const newest = versions.getByRole('row').filter({ hasText: `${saved} (current)` });
      await newest.waitFor();
      assert.match(await newest.innerText(), /Clearer description/);
      await page
        .getByRole('heading', { name: `Changes from version ${before.currentVersion} to version ${saved}` })
        .waitFor();
      const change = page
        .getByRole('list', { name: 'Changes' })
        .getByRole('listitem')
        .filter({ hasText: '/description' });
      await change.waitFor();
      const changeText = await change.innerText();
      assert.match(changeText, /^Changed/);
      assert.ok(changeText.includes('Edited in the browser.'), changeText);
      assert.ok(changeText.includes(before.document.description), 'the old value is shown too');
      await check(page, 'template-history');

      // Code view: a schema error is reported at its line, then fixed.
      await page.getByRole('tab', { name: 'Code' }).click();
      const code = page.getByRole('textbox', { name: 'Template document (YAML)' });
      const yaml = await code.inputValue();
      assert.match(yaml, /^minimumOwners: 2$/m);
      const line = yaml.split('\n').findIndex((l) => l.startsWith('minimumOwners:')) + 1;
      await code.fill(yaml.replace(/^minimumOwners: 2$/m, 'minimumOwners: 99'));
      const status = page.locator('#template-code-problems');
      await status.getByText('1 problem(s) found').waitFor();
      const problem = await status.getByRole('listitem').innerText();
      assert.match(problem, new RegExp(`Line ${line}`));
      assert.match(problem, /\/minimumOwners/);
      await page.getByText('Unsaved changes with 1 problem(s)').waitFor();
      await check(page, 'template-code');
      await code.fill(yaml);
      await status.getByText('No problem found.').waitFor();
      // The same document as JSON.
      await page.getByRole('radio', { name: 'JSON' }).check();
      const json = JSON.parse(
        await page.getByRole('textbox', { name: 'Template document (JSON)' }).inputValue(),
      ) as { minimumOwners: number; description: string };
      assert.equal(json.minimumOwners, 2);
      assert.equal(json.description, edited);

      // Icon: a wrong type is refused before upload; a PNG is previewed, uploaded and served back.
      await page.getByRole('tab', { name: 'Icon and files' }).click();
      const chooser = page.getByLabel('Choose an image');
      await chooser.setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('hello'),
      });
      await page.getByText('cannot be an icon').waitFor();
      const icon = makePng();
      await chooser.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: icon });
      await page.getByRole('img', { name: 'Preview of the chosen image' }).waitFor();
      await page.getByRole('button', { name: 'Upload the icon' }).click();
      await page.getByText(`Icon saved in version ${saved + 1}.`).waitFor();
      await page.getByRole('img', { name: 'Icon of Project' }).waitFor();
      const served = Buffer.from(await (await apiGet('/templates/project/assets/icon.png')).arrayBuffer());
      assert.deepEqual(served, icon, 'the uploaded icon is the one served');
      await check(page, 'template-assets');

      // Plan (dry run): the Graph operations, nothing created.
      await page.getByRole('tab', { name: 'Plan (dry run)' }).click();
      await page.getByRole('textbox', { name: 'Sample team name' }).fill('Apollo');
      await page.getByRole('button', { name: 'Run the plan' }).click();
      const planTitle = page.getByRole('heading', { name: /operations \(version \d+\)/ });
      await planTitle.waitFor();
      const operations = page.getByRole('table', { name: /operations/ }).getByRole('row');
      assert.ok((await operations.count()) > 5, 'the plan lists operations');
      const planText = await page.getByRole('table', { name: /operations/ }).innerText();
      assert.match(planText, /POST/);
      assert.match(planText, /channels/);
      await check(page, 'template-plan');
      assert.deepEqual(problems, []);
      await page.close();
    },
  );

  test(
    'a catalog manager creates a metadata field and tests naming and CEL rules',
    { timeout: 120_000 },
    async () => {
      const manager = upn('lynne.robbins');
      const token = await getUserToken(rig.trellis, manager);
      const context = await rig.browser.newContext();
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signInInBrowser(page, rig.trellis.url, manager, 'admin');
      const sections = page.getByRole('navigation', { name: 'Admin sections' });

      // Metadata fields: create one with a pattern, limited to one template.
      await sections.getByRole('tab', { name: 'Metadata fields' }).click();
      await page.getByRole('heading', { name: 'Metadata fields', level: 2 }).waitFor();
      await page.getByRole('button', { name: 'New field' }).click();
      const form = page.getByRole('form', { name: 'New metadata field' });
      await form.getByRole('textbox', { name: 'Key' }).fill('budgetCode');
      await form.getByRole('textbox', { name: 'Label' }).fill('Budget code');
      await form.getByRole('textbox', { name: 'Help text' }).fill('Like BC-1234');
      await form.getByRole('checkbox', { name: 'Required' }).check();
      await form.getByRole('textbox', { name: 'Pattern (regular expression)' }).fill('BC-[0-9]{4}');
      await form.getByRole('checkbox', { name: 'Every template' }).uncheck();
      await form.getByRole('checkbox', { name: 'project', exact: true }).check();
      await check(page, 'metadata-new');
      await form.getByRole('button', { name: 'Create the field' }).click();
      await page.getByText('Field “Budget code” saved.').waitFor();
      const row = page
        .getByRole('table', { name: 'Metadata fields' })
        .getByRole('row')
        .filter({ hasText: 'budgetCode' });
      await row.waitFor();
      assert.match(await row.innerText(), /Budget code/);
      const res = await rig.trellis.fetch('/api/v1/metadata-fields/budgetCode', {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      const field = (await res.json()) as {
        required: boolean;
        validation?: { pattern?: string };
        appliesTo: string[];
      };
      assert.equal(field.required, true);
      assert.equal(field.validation?.pattern, 'BC-[0-9]{4}');
      assert.deepEqual(field.appliesTo, ['project']);
      await check(page, 'metadata');

      // Naming: the Project template's rules with a live preview for a sample name.
      await sections.getByRole('tab', { name: 'Naming and approval' }).click();
      await page.getByRole('heading', { name: 'Naming and approval policies', level: 2 }).waitFor();
      await page.getByRole('combobox', { name: 'Rules of' }).selectOption({ label: 'Project' });
      await page.getByRole('textbox', { name: 'Sample requested name' }).fill('Apollo launch');
      // Its required metadata, as a requester would give it (the new field included).
      await page.getByRole('combobox', { name: /metadata\.dataClassification/ }).selectOption('internal');
      await page.getByRole('textbox', { name: /metadata\.costCenter/ }).fill('CC-1234');
      await page.getByRole('textbox', { name: /metadata\.budgetCode/ }).fill('BC-1234');
      await page.getByRole('textbox', { name: /metadata\.projectCode/ }).fill('ABC-2026');
      await page.getByRole('textbox', { name: /metadata\.endDate/ }).fill('2030-06-30');
      const preview = page.getByRole('table', { name: 'Preview' });
      await preview
        .getByRole('row')
        .filter({ hasText: 'Description' })
        .filter({ hasText: 'cost center CC-1234' })
        .waitFor();
      await preview
        .getByRole('row')
        .filter({ hasText: 'Team name' })
        .filter({ hasText: 'PRJ - Apollo launch' })
        .waitFor();
      // A draft rule renders at once, with the template's metadata.
      await page
        .getByRole('textbox', { name: 'Team name' })
        .fill('PRJ {{ metadata.projectCode }} - {{ request.name | upcase }}');
      await preview.getByRole('row').filter({ hasText: 'PRJ ABC-2026 - APOLLO LAUNCH' }).waitFor();
      await page.getByRole('button', { name: 'Save these rules in Project' }).waitFor();

      // CEL rule tester: a rule that holds for Adele, then a typo reported at its position.
      const adele = upn('adele.vance');
      await page
        .getByRole('textbox', { name: 'Rule', exact: true })
        .fill(`user.mail.lowerAscii() == '${adele}'.lowerAscii()`);
      await page.getByRole('textbox', { name: 'User (requester)' }).fill(adele);
      await page.getByRole('button', { name: 'Test the rule' }).click();
      await page.getByText('Allowed: this user sees the template').waitFor();
      await page
        .getByRole('table', { name: 'The user as rules see them' })
        .getByText('Adele Vance')
        .waitFor();
      await page.getByRole('textbox', { name: 'Rule', exact: true }).fill("usr.department == 'Sales'");
      await page.getByRole('button', { name: 'Test the rule' }).click();
      await page.getByText('The rule is invalid: it could not be saved').waitFor();
      await page.getByText(/unknown variable 'usr'/).waitFor();
      await page
        .getByText(/line 1, column 1/)
        .first()
        .waitFor();
      await check(page, 'policies');
      assert.deepEqual(problems, []);
      await context.close();
    },
  );
});
