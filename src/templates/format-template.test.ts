import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate } from './check-template.ts';
import { formatTemplate, parseTemplateText } from './format-template.ts';
import { loadStarterCatalog } from './starter-catalog.ts';

test('export → parse → check → export is byte-identical, in YAML and JSON, for the starter catalog', async () => {
  const starter = await loadStarterCatalog();
  for (const entry of starter.templates) {
    const document = await parseTemplate(entry.document);
    for (const format of ['yaml', 'json'] as const) {
      const first = formatTemplate(document, format);
      const again = formatTemplate(await parseTemplate(parseTemplateText(first, `x.${format}`)), format);
      assert.equal(again, first, `${entry.slug} ${format}`);
    }
  }
});

test('YAML uses the core schema: yes, no and dates stay strings; duplicate keys are refused', () => {
  assert.deepEqual(parseTemplateText('a: yes\nb: 2025-01-01\n', 't.yaml'), { a: 'yes', b: '2025-01-01' });
  assert.throws(() => parseTemplateText('a: 1\na: 2\n', 't.yaml'), /t\.yaml/);
});
