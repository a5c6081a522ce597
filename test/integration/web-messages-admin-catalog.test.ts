import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as metadata from '../../web/src/tabs/admin/metadata/messages.ts';
import * as policies from '../../web/src/tabs/admin/policies/messages.ts';
import * as templates from '../../web/src/tabs/admin/templates/messages.ts';

// French must say everything English says, with the same placeholders (a missing {version} would
// print a wrong sentence, a stray one a literal brace).

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function checkTables(name: string, english: Record<string, string>, french: Record<string, string>) {
  assert.deepEqual(Object.keys(french).sort(), Object.keys(english).sort(), `${name}: same keys`);
  for (const [key, text] of Object.entries(english)) {
    const translated = french[key] ?? '';
    assert.ok(translated.trim(), `${name}: ${key} is translated`);
    assert.deepEqual(placeholders(translated), placeholders(text), `${name}: ${key} keeps its placeholders`);
  }
}

test('Admin → Templates has every English string in French, with the same placeholders', () => {
  checkTables('templates', templates.en, templates.fr);
  assert.equal(templates.fr['list.title'], 'Modèles');
  // Every section of the form and every view of the editor is named in both languages.
  for (const id of ['general', 'team', 'channels', 'apps', 'planner', 'naming', 'metadata', 'policy']) {
    assert.ok(`section.${id}` in templates.en, `section.${id}`);
  }
  for (const view of ['form', 'code', 'history', 'assets', 'plan']) assert.ok(`view.${view}` in templates.en);
});

test('Admin → Metadata fields has every English string in French, with the same placeholders', () => {
  checkTables('metadata', metadata.en, metadata.fr);
  for (const type of ['text', 'number', 'date', 'choice', 'multi_choice', 'person', 'boolean']) {
    assert.ok(`type.${type}` in metadata.en, `type.${type}`);
  }
});

test('Admin → Policies has every English string in French, with the same placeholders', () => {
  checkTables('policies', policies.en, policies.fr);
});
