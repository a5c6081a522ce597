import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../errors/index.ts';
import type { MetadataFieldDefinition } from './template-schema.ts';
import { toIsoDate, validateMetadataValues } from './validate-metadata.ts';

const fields: MetadataFieldDefinition[] = [
  { key: 'code', label: 'Code', type: 'text', required: true, validation: { pattern: '[A-Z]{3}-[0-9]{4}' } },
  { key: 'budget', label: 'Budget', type: 'number', required: false, validation: { min: 0, max: 1000 } },
  { key: 'end', label: 'End', type: 'date', required: true, validation: { minDate: '2025-01-01' } },
  {
    key: 'region',
    label: 'Region',
    type: 'choice',
    required: false,
    choices: [{ value: 'emea', label: 'EMEA' }],
  },
  {
    key: 'products',
    label: 'Products',
    type: 'multi_choice',
    required: false,
    choices: [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ],
    validation: { maxItems: 1 },
  },
  { key: 'nda', label: 'NDA', type: 'boolean', required: false },
  { key: 'sponsor', label: 'Sponsor', type: 'person', required: false },
];

async function fieldErrors(values: Record<string, unknown>): Promise<Record<string, string>> {
  try {
    await validateMetadataValues(fields, values, async (who) => (who === 'ada' ? 'ada@contoso.com' : null));
  } catch (error) {
    assert.ok(isAppError(error));
    return (error.details?.['fields'] ?? {}) as Record<string, string>;
  }
  return {};
}

describe('validateMetadataValues', () => {
  test('normalises numbers, dates, booleans, choices and people', async () => {
    const out = await validateMetadataValues(
      fields,
      {
        code: ' ABC-2026 ',
        budget: '12.5',
        end: '2026-03-04T22:00:00-05:00',
        region: 'emea',
        products: 'a',
        nda: 'true',
        sponsor: 'ada',
      },
      async (who) => (who === 'ada' ? 'ada@contoso.com' : null),
    );
    assert.deepEqual(out, {
      code: 'ABC-2026',
      budget: 12.5,
      end: '2026-03-05',
      region: 'emea',
      products: ['a'],
      nda: true,
      sponsor: 'ada@contoso.com',
    });
  });

  test('empty optional values are left out; no directory keeps the person as given', async () => {
    const out = await validateMetadataValues(fields, {
      code: 'ABC-0001',
      end: '2025-06-30',
      budget: '',
      products: [],
    });
    assert.deepEqual(out, { code: 'ABC-0001', end: '2025-06-30' });
    const person = await validateMetadataValues(fields, {
      code: 'ABC-0001',
      end: '2025-06-30',
      sponsor: 'bob@x.com',
    });
    assert.equal(person['sponsor'], 'bob@x.com');
  });

  test('reports every field error at once, keyed by field', async () => {
    const errors = await fieldErrors({
      code: 'abc',
      budget: 5000,
      end: '2024-02-30',
      region: 'mars',
      products: ['a', 'b'],
      nda: 'maybe',
      sponsor: 'nobody',
      extra: 1,
    });
    assert.deepEqual(Object.keys(errors).sort(), [
      'budget',
      'code',
      'end',
      'extra',
      'nda',
      'products',
      'region',
      'sponsor',
    ]);
    assert.match(errors['end'] ?? '', /date/);
    const missing = await fieldErrors({});
    assert.deepEqual(Object.keys(missing).sort(), ['code', 'end']);
  });

  test('toIsoDate refuses impossible dates', () => {
    assert.equal(toIsoDate('2024-02-29'), '2024-02-29');
    assert.equal(toIsoDate('2023-02-29'), undefined);
    assert.equal(toIsoDate('15/01/2026'), undefined);
  });
});
