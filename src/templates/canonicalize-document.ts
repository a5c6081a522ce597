import { Value } from 'typebox/value';

type JsonSchema = Record<string, unknown>;

/**
 * Orders every object's keys as its schema declares them and drops `undefined`, so one document
 * has exactly one serialisation: hashes, diffs and exported files are stable (jsonb reorders keys).
 */
export function canonicalize(schema: unknown, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const s = (schema ?? {}) as JsonSchema;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => canonicalize(s['items'], item));
  }
  const variants = (s['anyOf'] ?? s['oneOf']) as JsonSchema[] | undefined;
  if (variants) {
    const match = variants.find((variant) => Value.Check(variant, value)) ?? variants[0];
    return canonicalize(match, value);
  }
  const record = value as Record<string, unknown>;
  const properties = (s['properties'] ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    if (record[key] !== undefined) out[key] = canonicalize(properties[key], record[key]);
  }
  // Keys the schema does not name (only in invalid documents) keep a stable, sorted place.
  for (const key of Object.keys(record).sort()) {
    if (!(key in properties) && record[key] !== undefined) out[key] = canonicalize(undefined, record[key]);
  }
  return out;
}
