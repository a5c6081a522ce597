import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOGS, localeOf, placeholdersOf, translator } from './i18n.ts';

const SAME_IN_BOTH = new Set(['newTeam.description', 'card.request.description']);

describe('i18n', () => {
  test('French has every English key with the same placeholders, and no empty text', () => {
    const keys = Object.keys(CATALOGS.en).sort();
    assert.deepEqual(Object.keys(CATALOGS.fr).sort(), keys);
    for (const key of keys) {
      const k = key as keyof typeof CATALOGS.en;
      assert.deepEqual(placeholdersOf(CATALOGS.fr[k]), placeholdersOf(CATALOGS.en[k]), key);
      assert.ok(CATALOGS.fr[k].trim().length > 0, key);
      // A French text equal to the English one is an untranslated string, unless the word is the same.
      if (!SAME_IN_BOTH.has(k)) assert.notEqual(CATALOGS.fr[k], CATALOGS.en[k], key);
    }
  });

  test('Teams locale tags map to a supported language, English by default', () => {
    assert.equal(localeOf('fr-FR'), 'fr');
    assert.equal(localeOf('fr-CA'), 'fr');
    assert.equal(localeOf('en-GB'), 'en');
    assert.equal(localeOf('de-DE'), 'en');
    assert.equal(localeOf(undefined), 'en');
  });

  test('placeholders are filled; unknown ones stay visible', () => {
    assert.equal(
      translator('fr')('card.approval.title', { name: 'Projet X' }),
      'Approbation requise : Projet X',
    );
    assert.equal(translator('en')('card.approval.title'), 'Approval needed: {name}');
  });
});
