import { NAME_LIMITS } from './naming-limits.ts';
import type { NamingViolation, RenderedNames } from './naming-types.ts';

// Graph's group resource: ASCII 0-127 except @ () \ [] " ; : <> , and space. Control characters
// are refused by Exchange too, which leaves exactly these printable characters.
const NICKNAME_CHARACTER = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]$/;
// Not forbidden by Graph, but a line break or tab in a team name breaks every list that shows it.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Checks rendered (or hand-edited) names against Microsoft 365 group limits; returns every violation found. */
export function validateNames(names: Partial<RenderedNames>): NamingViolation[] {
  return [
    ...checkDisplayName(names.displayName ?? ''),
    ...checkMailNickname(names.mailNickname ?? ''),
    ...(names.description === undefined ? [] : checkDescription(names.description)),
  ];
}

function checkDisplayName(value: string): NamingViolation[] {
  const field = 'displayName';
  if (value.trim() === '') return [{ field, code: 'required', message: 'The display name is empty.' }];
  const out: NamingViolation[] = [];
  if (value !== value.trim()) {
    out.push({
      field,
      code: 'leading_trailing_space',
      message: 'The display name starts or ends with a space.',
    });
  }
  if (value.length > NAME_LIMITS.displayNameMax) {
    out.push(tooLong(field, 'display name', value.length, NAME_LIMITS.displayNameMax));
  }
  if (CONTROL_CHARACTER.test(value)) {
    out.push({
      field,
      code: 'invalid_character',
      message: 'The display name contains a line break, tab or other control character.',
    });
  }
  return out;
}

function checkMailNickname(value: string): NamingViolation[] {
  const field = 'mailNickname';
  if (value === '') return [{ field, code: 'required', message: 'The mail nickname is empty.' }];
  const out: NamingViolation[] = [];
  if (value.length > NAME_LIMITS.mailNicknameMax) {
    out.push(tooLong(field, 'mail nickname', value.length, NAME_LIMITS.mailNicknameMax));
  }
  const invalid = [...new Set([...value].filter((c) => !NICKNAME_CHARACTER.test(c)))];
  if (invalid.length > 0) {
    out.push({
      field,
      code: 'invalid_character',
      message: `The mail nickname contains characters Microsoft 365 refuses: ${invalid.map(describe).join(' ')}.`,
    });
  }
  if (value.startsWith('.') || value.endsWith('.') || value.includes('..')) {
    out.push({
      field,
      code: 'invalid_dot',
      message: 'The mail nickname may not start or end with a dot, nor contain two dots in a row.',
    });
  }
  return out;
}

function checkDescription(value: string): NamingViolation[] {
  return value.length > NAME_LIMITS.descriptionMax
    ? [tooLong('description', 'description', value.length, NAME_LIMITS.descriptionMax)]
    : [];
}

function tooLong(
  field: NamingViolation['field'],
  label: string,
  length: number,
  max: number,
): NamingViolation {
  return {
    field,
    code: 'too_long',
    message: `The ${label} has ${length} characters; at most ${max} are allowed.`,
  };
}

function describe(c: string): string {
  if (c === ' ') return 'SPACE';
  return /\p{Cc}/u.test(c) ? `U+${c.codePointAt(0)?.toString(16).padStart(4, '0').toUpperCase()}` : `"${c}"`;
}
