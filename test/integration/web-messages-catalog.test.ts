import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peoplePickerMessages } from '../../web/src/components/PeoplePicker.messages.ts';
import { en, fr } from '../../web/src/tabs/catalog/messages.ts';

// French must say everything English says, with the same placeholders (a missing {count} would
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

test('the catalog tab has every English string in French, with the same placeholders', () => {
  checkTables('catalog', en, fr);
  assert.equal(fr['home.title'], 'Catalogue');
});

test('the people picker has every English string in French, with the same placeholders', () => {
  checkTables('people picker', peoplePickerMessages.en, peoplePickerMessages.fr);
});
