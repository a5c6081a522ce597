import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as admin from '../../web/src/tabs/admin/messages.ts';
import * as governance from '../../web/src/tabs/governance/messages.ts';

// The governance tab's and the Admin tab's (shell and operations sections) strings: French has
// every English key, with the same {placeholders}, and no string is left empty or untranslated.

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const [name, tables] of [
  ['governance', governance],
  ['admin', admin],
] as const) {
  test(`${name}: fr has every en key with the same placeholders`, () => {
    const en = tables.en as Record<string, string>;
    const fr = tables.fr as Record<string, string>;
    assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
    for (const key of Object.keys(en)) {
      assert.ok(en[key]?.trim(), `en ${key} is empty`);
      assert.ok(fr[key]?.trim(), `fr ${key} is empty`);
      assert.deepEqual(placeholders(fr[key] ?? ''), placeholders(en[key] ?? ''), `placeholders of ${key}`);
    }
    // Units and numbers may read the same; sentences may not.
    const words = (v: string | undefined) => (v ?? '').replace(/\{\w+\}/g, '').trim();
    const same = Object.keys(en).filter((k) => en[k] === fr[k] && words(en[k]).length > 12);
    assert.deepEqual(same, [], 'long strings left in English');
  });
}
