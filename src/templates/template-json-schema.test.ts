import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderTemplateJsonSchema, templateJsonSchema } from './template-json-schema.ts';

test('schemas/template.v1.json is up to date', () => {
  const file = readFileSync(new URL('../../schemas/template.v1.json', import.meta.url), 'utf8');
  assert.equal(file, renderTemplateJsonSchema(), 'run: node scripts/gen-template-schema.ts');
});

test('properties with a default are optional for authors', () => {
  const schema = templateJsonSchema() as {
    required: string[];
    properties: Record<string, { required?: string[] }>;
  };
  assert.deepEqual(schema.required, ['schemaVersion', 'slug', 'name']);
  assert.deepEqual(schema.properties['approval']?.required, undefined);
});
