import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkTemplate, parseTemplate } from './check-template.ts';
import { loadStarterCatalog } from './starter-catalog.ts';

const minimal = { schemaVersion: 1, slug: 'proj', name: 'Project' };

function paths(result: { issues: { path: string }[] }): string[] {
  return result.issues.map((i) => i.path);
}

describe('checkTemplate', () => {
  test('fills defaults and orders keys as the schema does', async () => {
    const result = await checkTemplate({ name: 'Project', slug: 'proj', schemaVersion: 1 });
    assert.equal(result.ok, true);
    assert.deepEqual(Object.keys(result.document ?? {}).slice(0, 5), [
      'schemaVersion',
      'slug',
      'name',
      'description',
      'language',
    ]);
    assert.deepEqual(result.document?.approval, { stages: [], reminderAfterHours: 24, expireAfterDays: 14 });
    assert.equal(result.document?.audience.rule, 'true');
    assert.equal(result.document?.team.visibility, 'private');
  });

  test('schema errors name the JSON path: unknown and missing properties, bad values', async () => {
    const result = await checkTemplate({
      schemaVersion: 1,
      slug: 'Bad Slug',
      channels: [{ displayName: 'A', membershipType: 'secret' }],
      approval: { stages: [{ name: 'x', approvers: [] }], reminderAfterHours: 0 },
      colour: 'red',
    });
    assert.equal(result.ok, false);
    const found = paths(result);
    for (const p of [
      '/name',
      '/slug',
      '/colour',
      '/channels/0/membershipType',
      '/approval/stages/0/approvers',
      '/approval/reminderAfterHours',
    ]) {
      assert.ok(found.includes(p), `${p} in ${found.join(', ')}`);
    }
  });

  test('semantic checks: channel names, owners, rules, naming, planner references', async () => {
    const result = await checkTemplate(
      {
        ...minimal,
        channels: [
          { displayName: 'general' },
          { displayName: 'Plans' },
          { displayName: 'PLANS', membershipType: 'private', ownersIncludeRequester: false },
          { displayName: 'Q&A' },
          {
            displayName: 'Tabs',
            tabs: [{ displayName: 'P', teamsAppId: 'com.microsoft.teamspace.tab.planner', plan: 'Nope' }],
          },
        ],
        planner: {
          plans: [
            {
              title: 'Plan',
              buckets: [{ name: 'B' }],
              tasks: [{ title: 'T', bucket: 'Z', labels: ['category3'] }],
            },
          ],
        },
        naming: { displayName: '{{ metadata.missing }}' },
        audience: { rule: 'user.departmnet == "Sales"' },
        approval: { stages: [{ name: 'S', approvers: [{ type: 'rule', expression: 'true' }] }] },
        metadataFieldRefs: ['unknownField'],
      },
      { tenantFieldKeys: new Set(['costCenter']) },
    );
    assert.equal(result.ok, false);
    const found = paths(result);
    for (const p of [
      '/channels/0/displayName',
      '/channels/2/displayName',
      '/channels/2/owners',
      '/channels/3/displayName',
      '/channels/4/tabs/0/plan',
      '/planner/plans/0/tasks/0/bucket',
      '/planner/plans/0/tasks/0/labels/0',
      '/naming/displayName',
      '/audience/rule',
      '/approval/stages/0/approvers/0/expression',
      '/metadataFieldRefs/0',
    ]) {
      assert.ok(found.includes(p), `${p} in ${found.join(', ')}`);
    }
  });

  test('limits: too many tabs in a channel, too many checklist items', async () => {
    const tabs = Array.from({ length: 21 }, (_, i) => ({ displayName: `T${i}`, teamsAppId: 'x' }));
    const checklist = Array.from({ length: 21 }, (_, i) => ({ title: `c${i}` }));
    const result = await checkTemplate({
      ...minimal,
      channels: [{ displayName: 'Many', tabs }],
      planner: {
        plans: [{ title: 'P', buckets: [{ name: 'B' }], tasks: [{ title: 't', bucket: 'B', checklist }] }],
      },
    });
    assert.deepEqual(paths(result).sort(), ['/channels/0/tabs', '/planner/plans/0/tasks/0/checklist']);
  });

  test('metadata field definitions: unsafe pattern, missing choices, key clash with a tenant field', async () => {
    const result = await checkTemplate(
      {
        ...minimal,
        metadataFields: [
          { key: 'code', label: 'Code', type: 'text', validation: { pattern: '(a+)+$' } },
          { key: 'region', label: 'Region', type: 'choice' },
          { key: 'costCenter', label: 'Cost center', type: 'text' },
          { key: 'size', label: 'Size', type: 'number', validation: { pattern: 'x' } },
        ],
      },
      { tenantFieldKeys: new Set(['costCenter']) },
    );
    assert.deepEqual(paths(result).sort(), [
      '/metadataFields/0/validation/pattern',
      '/metadataFields/1/choices',
      '/metadataFields/2/key',
      '/metadataFields/3/validation/pattern',
    ]);
  });

  test('parseTemplate throws a validation error carrying every issue', async () => {
    await assert.rejects(
      parseTemplate({ schemaVersion: 2 }),
      (error: Error & { details?: { issues?: unknown[] } }) => {
        assert.equal((error as { code?: string }).code, 'validation_failed');
        assert.ok((error.details?.issues?.length ?? 0) >= 3);
        return true;
      },
    );
  });

  test('the starter catalog is valid against its own tenant fields', async () => {
    const starter = await loadStarterCatalog();
    assert.ok(starter.templates.length >= 4);
    const keys = new Set(starter.fields.map((f) => f.key));
    for (const entry of starter.templates) {
      const result = await checkTemplate(entry.document, { tenantFieldKeys: keys });
      assert.deepEqual(result.issues, [], entry.slug);
      const names = new Set(entry.assets.map((a) => a.name));
      const document = result.document;
      assert.ok(document);
      for (const file of [...document.generalChannel.files, ...document.channels.flatMap((c) => c.files)]) {
        assert.ok(names.has(file.asset), `${entry.slug}: asset ${file.asset} is shipped`);
      }
    }
  });
});
