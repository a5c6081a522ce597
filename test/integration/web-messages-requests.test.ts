import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as approvals from '../../web/src/tabs/approvals/messages.ts';
import { REQUEST_STATUSES } from '../../web/src/tabs/requests/api.ts';
import * as requests from '../../web/src/tabs/requests/messages.ts';

// French must say everything English says, with the same placeholders (a missing {name} would
// print a wrong sentence, a stray one a literal brace); the keys built from API values must exist.

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function checkTables(name: string, english: Record<string, string>, french: Record<string, string>) {
  assert.deepEqual(Object.keys(french).sort(), Object.keys(english).sort(), `${name}: same keys`);
  for (const [key, text] of Object.entries(english)) {
    const translated = french[key] ?? '';
    assert.ok(translated.trim(), `${name}: ${key} is translated`);
    assert.deepEqual(placeholders(translated), placeholders(text), `${name}: ${key} keeps its placeholders`);
  }
}

test('the My requests tab has every English string in French, with the same placeholders', () => {
  checkTables('requests', requests.en, requests.fr);
  assert.equal(requests.fr.title, 'Mes demandes et équipes');
});

test('the Approvals tab has every English string in French, with the same placeholders', () => {
  checkTables('approvals', approvals.en, approvals.fr);
  assert.equal(approvals.fr['queue.empty'], 'Rien à approuver');
});

test('every request state, stage state, log level and activity kind has its words', () => {
  const keys = (table: Record<string, string>, prefix: string, values: readonly string[]) =>
    values.filter((v) => !(`${prefix}${v}` in table));
  assert.deepEqual(keys(requests.en, 'status.', REQUEST_STATUSES), []);
  assert.deepEqual(keys(approvals.en, 'status.', REQUEST_STATUSES), []);
  const stages = ['waiting', 'pending', 'approved', 'rejected', 'cancelled', 'expired'];
  assert.deepEqual(keys(requests.en, 'stageStatus.', stages), []);
  assert.deepEqual(keys(requests.en, 'log.level.', ['info', 'warn', 'error']), []);
  const kinds = ['created', 'submitted', 'edited', 'commented', 'approved', 'rejected', 'cancelled'];
  assert.deepEqual(keys(requests.en, 'activity.', [...kinds, 'expired', 'reminded', 'stage_opened']), []);
  const fields = ['name', 'description', 'welcomeMessage', 'owners', 'members'];
  assert.deepEqual(keys(approvals.en, 'field.', fields), []);
});
