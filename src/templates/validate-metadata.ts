import { errors } from '../errors/index.ts';
import { compileSafePattern } from './check-safe-pattern.ts';
import type { MetadataFieldDefinition } from './template-schema.ts';

/** Longest text value accepted when a field declares no maxLength. */
export const MAX_TEXT_LENGTH = 4000;

/** Resolves a person (object id or UPN) to their UPN, or null when no such user exists. */
export type PersonLookup = (idOrUpn: string) => Promise<string | null>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates request metadata against the applicable field definitions and normalises it: numbers,
 * ISO dates (yyyy-mm-dd), booleans, choice values, and people as UPNs when a directory is known.
 * Empty optional values are left out. Every problem is reported at once.
 * @throws AppError validation_failed with `details.fields` ({ key: message })
 */
export async function validateMetadataValues(
  fields: readonly MetadataFieldDefinition[],
  values: Record<string, unknown>,
  lookupPerson?: PersonLookup,
): Promise<Record<string, unknown>> {
  const problems: Record<string, string> = {};
  const out: Record<string, unknown> = {};
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(values)) {
    if (!byKey.has(key)) problems[key] = 'is not a metadata field of this template';
  }
  for (const field of fields) {
    const raw = values[field.key];
    if (isEmpty(raw)) {
      if (field.required) problems[field.key] = `${field.label} is required`;
      continue;
    }
    const result = await normalize(field, raw, lookupPerson);
    if ('error' in result) problems[field.key] = result.error;
    else out[field.key] = result.value;
  }
  const keys = Object.keys(problems);
  if (keys.length > 0) {
    throw errors.validation(
      `Invalid metadata: ${keys.map((k) => `${k} ${problems[k]}`).join('; ')}`.slice(0, 1000),
      { fields: problems },
    );
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

type Outcome = { value: unknown } | { error: string };

async function normalize(
  field: MetadataFieldDefinition,
  raw: unknown,
  lookupPerson: PersonLookup | undefined,
): Promise<Outcome> {
  const v = field.validation ?? {};
  switch (field.type) {
    case 'text': {
      if (typeof raw !== 'string') return { error: 'must be text' };
      const text = raw.trim();
      const max = v.maxLength ?? MAX_TEXT_LENGTH;
      if (text.length > max) return { error: `must be at most ${max} characters` };
      if (v.minLength !== undefined && text.length < v.minLength) {
        return { error: `must be at least ${v.minLength} characters` };
      }
      if (v.pattern !== undefined && !compileSafePattern(v.pattern).test(text)) {
        return { error: 'does not have the expected format' };
      }
      return { value: text };
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(n)) return { error: 'must be a number' };
      if (v.min !== undefined && n < v.min) return { error: `must be at least ${v.min}` };
      if (v.max !== undefined && n > v.max) return { error: `must be at most ${v.max}` };
      return { value: n };
    }
    case 'date': {
      const date = toIsoDate(raw);
      if (date === undefined) return { error: 'must be a date (yyyy-mm-dd)' };
      if (v.minDate !== undefined && date < v.minDate) return { error: `must not be before ${v.minDate}` };
      if (v.maxDate !== undefined && date > v.maxDate) return { error: `must not be after ${v.maxDate}` };
      return { value: date };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { error: 'must be true or false' };
    }
    case 'choice': {
      if (typeof raw !== 'string') return { error: 'must be one of the choices' };
      const choice = field.choices?.find((c) => c.value === raw.trim());
      return choice ? { value: choice.value } : { error: `must be one of: ${choiceList(field)}` };
    }
    case 'multi_choice': {
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
        return { error: 'must be a list of choices' };
      }
      const picked: string[] = [];
      for (const item of list as string[]) {
        const choice = field.choices?.find((c) => c.value === item.trim());
        if (!choice) return { error: `"${item.slice(0, 50)}" is not one of: ${choiceList(field)}` };
        if (!picked.includes(choice.value)) picked.push(choice.value);
      }
      if (v.minItems !== undefined && picked.length < v.minItems)
        return { error: `pick at least ${v.minItems}` };
      if (v.maxItems !== undefined && picked.length > v.maxItems)
        return { error: `pick at most ${v.maxItems}` };
      return { value: picked };
    }
    case 'person': {
      if (typeof raw !== 'string' || raw.trim().length > 256) return { error: 'must be a user id or UPN' };
      const who = raw.trim();
      if (!lookupPerson) return { value: who };
      const upn = await lookupPerson(who);
      return upn === null ? { error: `no user ${who.slice(0, 100)} in the directory` } : { value: upn };
    }
    default:
      return { error: 'has an unknown type' };
  }
}

function choiceList(field: MetadataFieldDefinition): string {
  return (field.choices ?? [])
    .map((c) => c.value)
    .join(', ')
    .slice(0, 300);
}

/** yyyy-mm-dd for a real calendar date, or an ISO date-time's UTC date; undefined otherwise. */
export function toIsoDate(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const match = DATE.exec(text);
  if (match) {
    const [, y, m, d] = match;
    const date = new Date(`${text}T00:00:00Z`);
    const ok =
      !Number.isNaN(date.getTime()) &&
      date.getUTCFullYear() === Number(y) &&
      date.getUTCMonth() + 1 === Number(m) &&
      date.getUTCDate() === Number(d);
    return ok ? text : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
  }
  return undefined;
}
